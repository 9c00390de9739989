// Real gRPC backends for the xDS tests.
// Usage: node backend.js <name>...
// Starts one plaintext server per name on a free loopback port; each answers Identify with its name.
// Once all are bound it prints one JSON line, {"listening":{"<name>":<port>,...}}, then serves until
// stdin closes (the test process ended or let go of it) or it gets SIGTERM.
'use strict';
const grpc = require('@grpc/grpc-js');
const Backend = require('./service');

const names = process.argv.slice(2);
if (names.length === 0 || new Set(names).size !== names.length) {
  console.error('usage: node backend.js <name>... (at least one name, no duplicates)');
  process.exit(2);
}

function bind(server) {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port));
  });
}

async function main() {
  const servers = [];
  const listening = {};
  for (const name of names) {
    const server = new grpc.Server();
    server.addService(Backend.service, {
      Identify: (call, callback) => callback(null, { backend: name, caller: call.request.caller }),
    });
    listening[name] = await bind(server);
    servers.push(server);
  }
  process.stdout.write(`${JSON.stringify({ listening })}\n`);

  const stop = () => {
    for (const server of servers) server.forceShutdown();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`backend.js: ${error.stack ?? error}`);
  process.exit(1);
});
