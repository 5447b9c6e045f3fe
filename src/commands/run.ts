// dropwise run FILE: processes one file exactly as the agent would, then exits 0/1/2.
import type { Command } from 'commander';
import { missingFileError } from '../fs/entry-kind.js';
import { openOneShotAgent, withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';
import { exitCodeOf, printFileResult } from './summary.js';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('run')
      .argument('<file>', 'the file to process (it is moved, as the agent moves files from the inbox)')
      .description('process one file as the agent would; exit 0 all ok, 1 some records failed, 2 the file failed'),
  ).action(action((file: string, options: CommonOptions) => withRuntime(options, { sandbox: true }, (rt) => runFile(rt, file))));
}

export async function runFile(rt: Runtime, file: string): Promise<number> {
  const agent = await openOneShotAgent(rt, 'run');
  try {
    const result = await agent.runFile(file);
    if (!result) throw missingFileError(file);
    printFileResult(result);
    return exitCodeOf(result.outcome, result.disposition !== 'archived' && result.disposition !== 'deleted');
  } finally {
    await agent.close();
  }
}
