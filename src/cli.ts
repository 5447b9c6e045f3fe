#!/usr/bin/env node
// The dropwise command line (see ./commands/program.ts for the verbs).
import { pkg } from './version.js';

const args = process.argv.slice(2);
// A reader that stops early (`dropwise status | head`) closes the pipe: the rest of the output has
// nowhere to go, which is no reason to end a command (or the agent) with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
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
