// dropwise task NAME: runs a configured task now; exit codes as `run`.
import type { Command } from 'commander';
import { openOneShotAgent, withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';
import { exitCodeOf, printOutcome } from './summary.js';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('task')
      .argument('<name>', 'a task under "tasks" in the config')
      .description('run a configured task now; exit 0 all ok, 1 some records failed, 2 the task failed'),
  ).action(action((name: string, options: CommonOptions) => withRuntime(options, { sandbox: true }, (rt) => runConfiguredTask(rt, name))));
}

export async function runConfiguredTask(rt: Runtime, name: string): Promise<number> {
  const agent = await openOneShotAgent(rt, 'task');
  try {
    const { outcome } = await agent.runConfiguredTask(name, 'cli');
    console.log(`Task:     ${name}`);
    printOutcome(outcome);
    return exitCodeOf(outcome, false);
  } finally {
    await agent.close();
  }
}
