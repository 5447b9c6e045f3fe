#!/usr/bin/env node
// The dropwise command line (see ./commands/program.ts for the verbs).
import { CommanderError } from 'commander';
import { createProgram } from './commands/program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  // Commander has already printed the usage error (or the help or version asked for).
  if (!(err instanceof CommanderError)) throw err;
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
