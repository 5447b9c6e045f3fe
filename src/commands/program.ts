// The dropwise command line: one verb per file in this folder, assembled here.
import type * as Commander from 'commander';
import { requireCommonJs } from '../commonjs.js';
import { pkg } from '../version.js';
import * as doctor from './doctor.js';
import * as pause from './pause.js';
import * as resume from './resume.js';
import * as run from './run.js';
import * as service from './service.js';
import * as simulate from './simulate.js';
import * as start from './start.js';
import * as state from './state.js';
import * as status from './status.js';
import * as task from './task.js';
import * as validate from './validate.js';

const { Command } = requireCommonJs<typeof Commander>('commander');

export function createProgram(): Commander.Command {
  const program = new Command()
    .name(pkg.name)
    .description(pkg.description)
    .version(pkg.version, '-V, --version', 'print the version')
    .showHelpAfterError()
    // Usage errors throw instead of exiting 1 (1 means "some records failed"): cli.ts exits 2.
    .exitOverride()
    .addHelpText('after', '\nExit codes of run, task and validate: 0 all ok, 1 some records failed, 2 the file or task failed.');
  for (const verb of [start, run, task, validate, doctor, simulate, status, state, pause, resume, service]) verb.register(program);
  return program;
}
