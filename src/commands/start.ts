// dropwise start: runs the agent until asked to stop. A stop request is SIGINT (Ctrl+C), SIGTERM
// (systemd), SIGBREAK (Ctrl+Break on Windows, where SIGTERM does not exist) or a 'shutdown' message
// on the IPC channel (node-windows). A second request while stopping exits at once.
import type { Command } from 'commander';
import type { ApiServer } from '../api/server.js';
import { withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';

/** How long running files may take to finish after a stop request; the rest resumes at the next start. */
export const STOP_GRACE_MS = 20_000;
/** How long queued notifications may take to go out after the agent stopped. */
export const NOTIFY_FLUSH_MS = 5_000;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

export function register(program: Command): void {
  withConfigOption(
    program
      .command('start')
      .description('run the agent: watch the inbox and run schedules until SIGINT/SIGTERM/SIGBREAK or a service "shutdown" message'),
  ).action(action((options: CommonOptions) => withRuntime(options, { sandbox: true }, runAgent)));
}

export async function runAgent(rt: Runtime): Promise<number> {
  // Listening from the first moment: a stop asked for while the agent starts (a service manager's, or a
  // Ctrl+C) is carried out cleanly once it has started, instead of killing it half-way.
  const stop = stopRequested();
  const { folders } = rt.config;
  const [{ Agent }, { logProgress }, { workspaceOf }, { claimedFiles }, { LiveRuns }, { ApiServer }, { createNotifier }] = await Promise.all([
    import('../agent/agent.js'),
    import('../agent/pipeline/progress.js'),
    import('../agent/workspace.js'),
    import('../agent/intake/work-files.js'),
    import('../api/live-runs.js'),
    import('../api/server.js'),
    import('../notify/notifier.js'),
  ]);
  const workspace = workspaceOf(folders);
  const notifier = createNotifier(rt.config.notify, { log: rt.log, runs: rt.store.runs, claimedFiles: () => claimedFiles(workspace) });
  const liveRuns = new LiveRuns();
  const agent = new Agent({ ...rt, progress: liveRuns.track(logProgress(rt.log)), coordination: rt.store.coordination, ...(notifier ? { notifier } : {}) });
  let api: ApiServer | undefined;
  try {
    await agent.start();
  } catch (err) {
    await notifier?.close(0);
    throw err;
  }
  try {
    if (rt.config.api.enabled) api = await ApiServer.start({ config: rt.config, agent, log: rt.log, liveRuns, dashboard: { store: rt.store, registry: rt.registry } });
  } catch (err) {
    await agent.stop({ graceMs: STOP_GRACE_MS });
    await agent.settled();
    await notifier?.close(0);
    throw err;
  }
  console.log(`dropwise is watching ${folders.inbox}`);
  console.log(`  results: ${folders.success} and ${folders.fail}; originals: ${rt.config.processing.originals === 'delete' ? 'deleted' : folders.archive}`);
  console.log(api ? `  local API: ${api.url} (dashboard: ${api.url}/ui/, health: ${api.url}/healthz, metrics: ${api.url}/metrics)` : '  local API: off (api.enabled is false)');
  console.log('  stop with Ctrl+C');
  const reason = await stop;
  rt.log.info(`Stop requested (${reason})`);
  await agent.stop({ graceMs: STOP_GRACE_MS });
  await api?.close();
  // The state store closes after this returns: not under a run that outlived the grace period.
  await agent.settled();
  await notifier?.close(NOTIFY_FLUSH_MS);
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
