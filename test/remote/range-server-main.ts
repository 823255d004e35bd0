// Runs a RangeServer in a process of its own (so that a benchmark's client and server do not share an
// event loop): serves the files named on the command line by their base names, prints its port, and
// exits when its standard input closes. Usage: node --import tsx test/remote/range-server-main.ts FILE...

import fs from 'node:fs';
import path from 'node:path';
import { RangeServer } from './range-server.js';

const server = await RangeServer.start();
for (const file of process.argv.slice(2)) server.put(path.basename(file), fs.readFileSync(file));
process.stdout.write(`${server.port}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
