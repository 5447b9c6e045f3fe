// Builds a task's context from what the agent holds: the whole config, state store and connectors go
// in, and only what a task may touch comes out, bound to the run (its connection, its watermarks).
import { taskRetryPolicy } from '../async/backoff.js';
import type { AppConfig } from '../config/load.js';
import type { Connectors } from '../connectors/index.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';
import type { Outbox, TaskContext, TaskProgress } from './types.js';

export interface TaskContextSources {
  runId: string;
  taskKey: string;
  /** The connection the run uses (undefined: the default one of the kind the task asks for). */
  connection: string | undefined;
  config: Pick<AppConfig, 'http' | 'processing' | 'folders'>;
  log: Logger;
  store: Pick<StateStore, 'watermarks' | 'truth' | 'runs' | 'artifacts'>;
  connectors: Connectors;
  outbox: Outbox;
  signal: AbortSignal;
  progress(update: TaskProgress): void;
}

export function taskContext(sources: TaskContextSources): TaskContext {
  const { runId, taskKey, connection, config, store, connectors } = sources;
  return {
    runId,
    taskKey,
    connection: {
      name: (type) => connectors.resolve(type, connection),
      connectwise: () => connectors.connectwise(connection),
      traede: () => connectors.traede(connection),
    },
    retry: taskRetryPolicy(config.http),
    requestTimeoutMs: config.http.timeoutMs,
    recordConcurrency: config.processing.recordConcurrency,
    watermarks: {
      get: () => store.watermarks.get(taskKey),
      set: (values) => store.watermarks.set(taskKey, values),
    },
    truth: store.truth,
    artifacts: store.artifacts(runId),
    runs: store.runs,
    log: sources.log,
    outbox: sources.outbox,
    signal: sources.signal,
    progress: sources.progress,
  };
}
