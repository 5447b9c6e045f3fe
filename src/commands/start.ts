// dropwise start: runs the agent until asked to stop. A stop request is SIGINT (Ctrl+C), SIGTERM
// (systemd), SIGBREAK (Ctrl+Break on Windows, where SIGTERM does not exist) or a 'shutdown' message
// on the IPC channel (node-windows). A second request while stopping exits at once.
import type { Command } from 'commander';
import { action, withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';

/** How long running files may take to finish after a stop request; the rest resumes at the next start. */
export const STOP_GRACE_MS = 20_000;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

export function register(program: Command): void {
  withConfigOption(
    program
      .command('start')
      .description('run the agent: watch the inbox and run schedules until SIGINT/SIGTERM/SIGBREAK or a service "shutdown" message'),
  ).action(action((options: CommonOptions) => withRuntime(options, { sandbox: true }, runAgent)));
}

export async function runAgent(rt: Runtime): Promise<number> {
  const { folders } = rt.config;
  const { Agent } = await import('../agent/agent.js');
  const agent = new Agent(rt);
  await agent.start();
  console.log(`dropwise is watching ${folders.inbox}`);
  console.log(`  results: ${folders.success} and ${folders.fail}; originals: ${rt.config.processing.originals === 'delete' ? 'deleted' : folders.archive}`);
  console.log('  stop with Ctrl+C');
  const reason = await stopRequested();
  rt.log.info(`Stop requested (${reason})`);
  await agent.stop({ graceMs: STOP_GRACE_MS });
  // A service manager's IPC channel would keep the process alive after the stop.
  if (process.connected) process.disconnect();
  return 0;
}

/** Resolves with the first stop request; a second one ends the process at once. */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    let requested = false;
    const request = (reason: string) => {
      if (requested) {
        console.error(`dropwise: ${reason} again; exiting now (unfinished files resume at the next start)`);
        process.exit(1);
      }
      requested = true;
      resolve(reason);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, () => request(signal));
    process.on('message', (message) => {
      if (message === 'shutdown') request('shutdown message');
    });
  });
}
