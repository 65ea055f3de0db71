#!/usr/bin/env node
// `tessera`, the operator CLI (npm bin; `npx tessera --help`). The commands live in program.ts;
// this entry gives them the process's arguments, environment and streams, and exits with the
// code they return.
import { runCli } from './program.ts';

const exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
});
// Explicitly: everything the command opened is closed by now, and stdout and stderr are written
// synchronously to files and pipes (Node on Linux), so nothing is lost.
process.exit(exitCode);
