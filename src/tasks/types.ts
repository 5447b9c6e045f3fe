// The contract between the agent and the tasks. A task gets its settings, maybe an input file, and a
// context with what it may touch (the client of its connection, its watermarks, the truth table, a
// retry policy, a place for run artifacts); it streams its results into outputs the agent makes safe.
import type { Writable } from 'node:stream';
import type { RetryPolicy } from '../async/backoff.js';
import type { ConnectWiseClient } from '../connectors/connectwise/client.js';
import type { TraedeClient } from '../connectors/traede/client.js';
import type { DropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunArtifacts } from '../state/run-artifacts.js';
import type { FailedRecordError, RunHistory, TruthTable } from '../state/store.js';

/** An output file being written: a temp file until commit() makes it appear whole at its final name. */
export interface OutputFile {
  /** The final name asked for (commit may add a suffix rather than overwrite an existing file). */
  readonly name: string;
  /** Write here, honouring back-pressure (write() returning false means wait for 'drain'). */
  readonly stream: Writable;
  /** Ends the stream, fsyncs, renames into place without clobbering; returns the final path. */
  commit(): Promise<string>;
  /** Drops the temp file; nothing appears in the outbox. */
  abort(): Promise<void>;
}

export type OutboxFolder = 'success' | 'fail';

export interface Outbox {
  /** Opens a new output. `name` is a bare file name; path tricks are refused with DW_OUTPUT_PATH. */
  create(folder: OutboxFolder, name: string): Promise<OutputFile>;
}

export interface TaskProgress {
  records: number;
  pages?: number;
  /** Total records expected, when known. */
  total?: number;
  message?: string;
}

/** The run's connection: the one the task names, else the default one of the kind asked for. */
export interface RunConnection {
  /** The connection's name in the config; DW_CONNECTION_UNKNOWN when none of `type` fits. */
  name(type: 'connectwise' | 'traede'): string;
  connectwise(): ConnectWiseClient;
  traede(): TraedeClient;
}

/** The task's own watermarks (kept under its task key, see src/agent/task-key.ts). */
export interface TaskWatermarks {
  get(): Promise<Record<string, string>>;
  /** Durable when it returns; call only once the output they describe is safe. */
  set(values: Record<string, string>): Promise<void>;
}

export type RunReader = Pick<RunHistory, 'recent' | 'get' | 'query'>;

export interface TaskContext {
  runId: string;
  /** Identifies the task for watermarks (see src/tasks/task-key.ts): the configured task's name, or a key of the run's own settings. */
  taskKey: string;
  connection: RunConnection;
  /** How the task tries again on its own once the HTTP layer's retries were not enough. */
  retry: RetryPolicy;
  /** How long the HTTP layer waits for an answer (http.timeoutMs): a request it gave up on may still be at work remotely. */
  requestTimeoutMs: number;
  /** Records an import works on at the same time (processing.recordConcurrency). */
  recordConcurrency: number;
  watermarks: TaskWatermarks;
  /** externalId → remote id, for imports. */
  truth: TruthTable;
  /** Files the run leaves beside the state store (e.g. the GL entry id list). */
  artifacts: RunArtifacts;
  /** Earlier runs, read only (the accounting batch task finds a GL export run's entries there). */
  runs: RunReader;
  log: Logger;
  outbox: Outbox;
  /** Aborted when the agent is stopping: finish the record in hand, then stop. */
  signal: AbortSignal;
  progress(update: TaskProgress): void;
}

export interface TaskInputFile {
  /** Where the claimed file is now (work/processing/…). */
  path: string;
  /** The name it had in the inbox. */
  name: string;
  /**
   * A file of the task's own about this input (what it has done so far), kept across a crash and
   * resume of the claim and removed once the claim is finished; absent when the run has no claim.
   */
  resumeFile?: string;
}

export interface TaskRun<S> {
  settings: S;
  input?: TaskInputFile;
}

export interface TaskOutcome {
  /** success: all records ok · partial: some records failed · failed: the run failed · empty: nothing to do */
  status: 'success' | 'partial' | 'failed' | 'empty';
  recordsIn: number;
  recordsOk: number;
  recordsFailed: number;
  /** Committed output paths. */
  outputs: string[];
  details?: Record<string, unknown>;
  /** Why the run failed (status failed), or what went wrong for the records that failed (status partial). */
  error?: DropwiseError;
}

export interface ValidationReport {
  ok: boolean;
  records: number;
  problems: { record?: number; code: string; message: string; field?: string }[];
}

export interface TaskDefinition<S = unknown> {
  /** The task type, e.g. `connectwise.export-invoices`. */
  type: string;
  connector: 'connectwise' | 'traede';
  summary: string;
  /** Import tasks: the root element of the files that are routed to this task. */
  inputRoot?: string;
  /**
   * Checks and normalises raw settings (from config JSON or a task-request XML, where every value is a
   * string). Throws DW_SETTINGS_INVALID naming the setting. `input` is given for file-driven runs.
   */
  parseSettings(raw: Record<string, unknown>, input?: Pick<TaskInputFile, 'name'>): S;
  run(run: TaskRun<S>, ctx: TaskContext): Promise<TaskOutcome>;
  /** Checks an input file without calling any API (`dropwise validate`). */
  validateFile?(path: string, settings: S): Promise<ValidationReport>;
  /**
   * Import tasks: reads back the records of a fail file this task wrote (the agent reads no XML), for
   * the failed-records store. Each record comes as it came in, without the <errors> the fail file added,
   * so records put back under `inputRoot` make a new input file.
   */
  readFailures?(failFile: string): AsyncIterable<FailedRecordRead>;
}

export interface FailedRecordRead {
  /** 0-based position in the fail file. */
  index: number;
  /** The record's XML, as it came in. */
  record: string;
  invoiceId?: string;
  externalId?: string;
  errors: FailedRecordError[];
}
