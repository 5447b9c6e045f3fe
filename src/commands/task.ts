// dropwise task NAME: runs a configured task now; exit codes as `run`. While an agent runs on these
// folders the task goes to it (./hand-over.ts) and this verb follows it; otherwise it runs here, and
// SIGINT/SIGTERM/SIGHUP stop it cleanly (./stop-signals.ts).
import type { Command } from 'commander';
import { openOneShotAgent, withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('task')
      .argument('<name>', 'a task under "tasks" in the config')
      .description('run a configured task now (through the running agent, if one runs on these folders); exit 0 all ok, 1 some records failed, 2 the task failed, 128+N stopped by signal N'),
  ).action(
    action(async (name: string, options: CommonOptions) => {
      const { handOverTarget, handOverTask } = await import('./hand-over.js');
      const target = await handOverTarget(options);
      if (target) return handOverTask(target, name);
      return withRuntime(options, { sandbox: true }, (rt) => runConfiguredTask(rt, name));
    }),
  );
}

export async function runConfiguredTask(rt: Runtime, name: string): Promise<number> {
  const [{ onStopSignals, signalExitCode }, { exitCodeOf, printOutcome }] = await Promise.all([import('./stop-signals.js'), import('./summary.js')]);
  const agent = await openOneShotAgent(rt, 'task');
  const signals = onStopSignals(() => agent.interrupt(), `task ${name}`);
  try {
    const { outcome } = await agent.runConfiguredTask(name, 'cli');
    console.log(`Task:     ${name}`);
    printOutcome(outcome);
    if (signals.received && outcome.error?.code === 'DW_SHUTDOWN') return signalExitCode(signals.received);
    return exitCodeOf(outcome, false);
  } finally {
    await agent.close();
    signals.dispose();
  }
}
