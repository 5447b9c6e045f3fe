#!/usr/bin/env node
// The dropwise command line (see ./commands/program.ts for the verbs).
import { createProgram } from './commands/program.js';

await createProgram().parseAsync(process.argv);
