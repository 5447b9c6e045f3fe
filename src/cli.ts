#!/usr/bin/env node
// The dropwise command line: one verb per file in ./commands.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import * as run from './commands/run.js';
import * as service from './commands/service.js';
import * as start from './commands/start.js';
import * as status from './commands/status.js';
import * as task from './commands/task.js';
import * as validate from './commands/validate.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string; description: string };

const program = new Command()
  .name(pkg.name)
  .description(pkg.description)
  .version(pkg.version, '-V, --version', 'print the version')
  .showHelpAfterError()
  .addHelpText('after', '\nExit codes of run, task and validate: 0 all ok, 1 some records failed, 2 the file or task failed.');

for (const verb of [start, run, task, validate, status, service]) verb.register(program);

await program.parseAsync(process.argv);
