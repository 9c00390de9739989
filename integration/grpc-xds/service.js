// Loads backend.proto for both ends of the harness.
'use strict';
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(path.join(__dirname, 'backend.proto'), { keepCase: true });

module.exports = grpc.loadPackageDefinition(definition).controlplane.harness.v1.Backend;
