#!/usr/bin/env node
// The `array-record` command's entry point: runs src/cli and turns failures into a message and exit status 1.

import { main } from '../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`array-record: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
