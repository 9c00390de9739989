// The real proxyless xDS client under test (@grpc/grpc-js-xds), driven over stdin/stdout.
// Usage: GRPC_XDS_BOOTSTRAP=<bootstrap.json> node client.js <target>
// Opens one channel to xds:///<target> (one ADS stream to the control plane named in the bootstrap) and
// keeps it for the life of the process, so a test can change the config between commands and observe
// the same client. Prints {"started":"<target>"} first, then one JSON line per command:
//   call <count> <deadlineMs>  makes <count> unary RPCs one after the other, each waiting for the channel
//                              to be ready up to its deadline (a reply that does not echo its request
//                              counts as an error);
//                              → {"calls":<count>,"backends":{"<name>":<n>,...},"errors":{"<code> <details>":<n>,...}}
//   quit                       closes the channel and exits.
// A malformed command answers {"error":"<why>"} and the driver keeps going; EOF on stdin ends it.
'use strict';
const readline = require('node:readline');
const grpc = require('@grpc/grpc-js');
const xds = require('@grpc/grpc-js-xds');
const Backend = require('./service');

const target = process.argv[2];
if (!target || !process.env.GRPC_XDS_BOOTSTRAP) {
  console.error('usage: GRPC_XDS_BOOTSTRAP=<bootstrap.json> node client.js <target>');
  process.exit(2);
}

xds.register();
const client = new Backend(`xds:///${target}`, grpc.credentials.createInsecure());

function identify(caller, deadlineMs) {
  return new Promise((resolve) => {
    client.Identify(
      { caller },
      { deadline: Date.now() + deadlineMs, waitForReady: true },
      (error, reply) => {
        if (error) resolve({ error });
        else if (reply.caller !== caller) resolve({ error: { code: 'MISMATCH', details: `sent '${caller}', echoed '${reply.caller}'` } });
        else resolve({ backend: reply.backend });
      });
  });
}

async function call(count, deadlineMs) {
  const backends = {};
  const errors = {};
  for (let i = 0; i < count; i++) {
    const result = await identify(`rpc-${i}`, deadlineMs);
    if (result.error) {
      const key = `${grpc.status[result.error.code] ?? result.error.code} ${result.error.details}`;
      errors[key] = (errors[key] ?? 0) + 1;
    } else {
      backends[result.backend] = (backends[result.backend] ?? 0) + 1;
    }
  }
  return { calls: count, backends, errors };
}

const positiveInteger = (text) => (/^[1-9][0-9]{0,6}$/.test(text) ? Number(text) : null);

async function run(line) {
  const words = line.trim().split(/\s+/);
  if (words[0] === 'call' && words.length === 3) {
    const count = positiveInteger(words[1]);
    const deadlineMs = positiveInteger(words[2]);
    if (count !== null && deadlineMs !== null) return call(count, deadlineMs);
  }
  return { error: `unknown command '${line.trim()}' (expected 'call <count> <deadlineMs>' or 'quit')` };
}

async function main() {
  process.stdout.write(`${JSON.stringify({ started: target })}\n`);
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    if (line.trim() === 'quit') break;
    if (line.trim() === '') continue;
    process.stdout.write(`${JSON.stringify(await run(line))}\n`);
  }
  client.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(`client.js: ${error.stack ?? error}`);
  process.exit(1);
});
