#!/usr/bin/env node
// The dropwise command line (see ./commands/program.ts for the verbs).
import { setFlagsFromString } from 'node:v8';
import { pkg } from './version.js';

// undici parses HTTP with llhttp compiled to WebAssembly, and V8's optimising tier recompiles it in
// the background after the first requests: ~35 MB more resident for the life of the process, a third
// of a task run's peak. The baseline tier parses headers and chunk framing fast enough (bodies pass
// through it untouched), so the agent stays on it. Set before any WebAssembly is compiled.
setFlagsFromString('--liftoff-only');

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
