// dropwise run FILE: processes one file exactly as the agent would, then exits 0/1/2. While an agent
// runs on these folders the file goes to it (./hand-over.ts) and this verb follows it; otherwise it
// runs here, and SIGINT/SIGTERM/SIGHUP stop it cleanly (./stop-signals.ts): the file stays in
// work/processing and resumes at the agent's next start.
import type { Command } from 'commander';
import { openOneShotAgent, withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('run')
      .argument('<file>', 'the file to process (it is moved, as the agent moves files from the inbox)')
      .description('process one file as the agent would (through the running agent, if one runs on these folders); exit 0 all ok, 1 some records failed, 2 the file failed, 128+N stopped by signal N'),
  ).action(
    action(async (file: string, options: CommonOptions) => {
      const { handOverTarget, handOverFile } = await import('./hand-over.js');
      const target = await handOverTarget(options);
      if (target) return handOverFile(target, file);
      return withRuntime(options, { sandbox: true }, (rt) => runFile(rt, file));
    }),
  );
}

export async function runFile(rt: Runtime, file: string): Promise<number> {
  const [{ onStopSignals, signalExitCode }, { exitCodeOf, printFileResult }] = await Promise.all([import('./stop-signals.js'), import('./summary.js')]);
  const agent = await openOneShotAgent(rt, 'run');
  const signals = onStopSignals(() => agent.interrupt(), file);
  try {
    const result = await agent.runFile(file);
    if (!result) throw (await import('../fs/entry-kind.js')).missingFileError(file);
    printFileResult(result);
    if (signals.received && result.disposition === 'interrupted') return signalExitCode(signals.received);
    return exitCodeOf(result.outcome, result.disposition !== 'archived' && result.disposition !== 'deleted');
  } finally {
    await agent.close();
    signals.dispose();
  }
}
