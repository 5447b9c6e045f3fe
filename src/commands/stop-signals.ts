// Ctrl+C, SIGTERM and a dropped terminal (SIGHUP) during `dropwise run` and `task`: the first asks the
// run to stop as the agent stops one (the run is aborted, its temp outputs removed, the run recorded
// as interrupted, the lock released); a second one exits at once. SIGBREAK is Ctrl+Break on Windows.
import os from 'node:os';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/** The exit code of a run stopped by a signal: 128 + its number, as shells report it (SIGINT 130, SIGTERM 143, SIGHUP 129). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

export interface StopSignals {
  /** The first stop signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Removes the handlers (the default behaviour of the signals comes back). */
  dispose(): void;
}

/** Listens for the stop signals; `onStop` is called at the first, and a second exits the process. */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void, what: string): StopSignals {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      console.error(`dropwise: ${signal} again; exiting now (the lock is taken over by the next run, the file stays in work/processing)`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    console.error(`dropwise: ${signal}: stopping ${what}; ${signal === 'SIGHUP' ? 'another stop signal' : 'press Ctrl+C again'} to exit at once`);
    onStop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return {
    get received() {
      return received;
    },
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, handler);
    },
  };
}
