#!/usr/bin/env node
// The dropwise command line (see ./commands/program.ts for the verbs).
import { pkg } from './version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Asked often by scripts and service managers: answered without loading the program (commander, the verbs).
  console.log(pkg.version);
} else {
  const [{ CommanderError }, { createProgram }] = await Promise.all([import('commander'), import('./commands/program.js')]);
  try {
    await createProgram().parseAsync(process.argv);
  } catch (err) {
    // Commander has already printed the usage error (or the help or version asked for).
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  }
}
