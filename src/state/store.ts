// The state store's small interfaces. The local default keeps them in local files (JSON lines, lowdb);
// state.backend postgres keeps them in PostgreSQL tables (./postgres/), shared by every agent.
import type { ProcessIdentity } from './process-identity.js';
import type { RunArtifacts } from './run-artifacts.js';

/** `waiting`: the run failed for a cause that is not the file's (an outage) and its file is kept for a retry, which is a run of its own. */
export type RunResult = 'running' | 'success' | 'partial' | 'failed' | 'empty' | 'interrupted' | 'waiting';

export interface RunRecord {
  id: string;
  /** The task type, e.g. connectwise.export-invoices; for a file that failed before a task was chosen, its root element (`<Foo>`) or `(none)`. */
  task: string;
  /** The configured task name, when the run came from one. */
  taskName?: string;
  /** The key of the watermarks the run read and advanced (see src/tasks/task-key.ts). */
  taskKey?: string;
  /** The input file's original name, for file-driven runs. */
  file?: string;
  connection?: string;
  trigger: 'file' | 'schedule' | 'cli';
  startedAt: string;
  endedAt?: string;
  recordsIn: number;
  recordsOk: number;
  recordsFailed: number;
  result: RunResult;
  error?: { code: string; message: string };
  /** Output files written, as absolute paths. */
  outputs: string[];
  /** Task-specific facts worth keeping (e.g. the GL entry ids exported). */
  details?: Record<string, unknown>;
  /** The process running it: a run left `running` by a process that is gone is closed as `interrupted`. */
  owner?: ProcessIdentity;
  /** The agent that ran it (agent.name), where agents share one state (state.backend postgres). */
  agent?: string;
}

export type NewRun = Pick<RunRecord, 'task' | 'trigger'> & Partial<Pick<RunRecord, 'taskName' | 'taskKey' | 'file' | 'connection' | 'owner'>>;
export type RunOutcome = Partial<Omit<RunRecord, 'id' | 'task' | 'startedAt'>>;

/** A filter over the run history; every field narrows, none given means every run. */
export interface RunQuery {
  /** The task type or the configured task name. */
  task?: string;
  result?: RunResult | RunResult[];
  /** Runs started at or after / before these ISO 8601 instants. */
  since?: string;
  until?: string;
  /** Part of the input file's name, case-insensitive. */
  file?: string;
  /** Runs of this agent only (agent.name). */
  agent?: string;
  /** Page size (default 50) and how many matching runs to skip, newest first. */
  limit?: number;
  offset?: number;
}

export interface RunPage {
  /** The matching runs of this page, newest first. */
  runs: RunRecord[];
  /** How many runs match in all. */
  total: number;
}

export interface RunHistory {
  start(run: NewRun): Promise<RunRecord>;
  finish(id: string, outcome: RunOutcome): Promise<void>;
  /** The most recent runs, newest first. */
  recent(limit: number): Promise<RunRecord[]>;
  /** One run by id. */
  get(id: string): Promise<RunRecord | undefined>;
  /** The runs matching a filter, newest first, a page at a time. */
  query(query: RunQuery): Promise<RunPage>;
  /**
   * Called once by the process that took the state lock, before anything else: a history that cannot
   * be parsed is moved aside and a new one begun (losing only what status shows); returns where the
   * damaged one went. One that cannot be read at all throws DW_STATE_READ.
   */
  setAsideIfDamaged(): Promise<string | undefined>;
}

/** Per-task watermarks (e.g. dateCreated, dateModified), advanced only after an output is safe. */
export interface WatermarkStore {
  get(taskKey: string): Promise<Record<string, string>>;
  set(taskKey: string, values: Record<string, string>): Promise<void>;
  all(): Promise<Record<string, Record<string, string>>>;
}

export interface TruthEntry {
  connection: string;
  entity: string;
  externalId: string;
  /** The id of the record in the remote system. */
  id: number;
  /** A hash of the values last sent, to tell an unchanged record from a changed one. */
  hash: string;
  created: string;
  modified: string;
  /** Which input record wrote the entry: lets a resumed file recognise its own earlier work. */
  source?: TruthSource;
}

export interface TruthSource {
  /** The claimed input file's name (work/processing/<claim id>__<name>), unique per dropped file. */
  file: string;
  /** 0-based index of the record in that file. */
  record: number;
  action: 'created' | 'updated';
}

/** Zynk's truth table: externalId → remote id, per connection and entity. */
export interface TruthTable {
  get(connection: string, entity: string, externalId: string): Promise<TruthEntry | undefined>;
  /** The entries of these externalIds that exist, by externalId: one request for a window of records. */
  getMany(connection: string, entity: string, externalIds: readonly string[]): Promise<Map<string, TruthEntry>>;
  /** Upserts (keeping the first `created`); durable when it returns. */
  putMany(entries: TruthEntry[]): Promise<void>;
  count(): Promise<number>;
}

/** One error of a failed record, as its fail file's <errors> gives it. */
export interface FailedRecordError {
  code: string;
  message: string;
  field?: string;
  httpStatus?: number;
}

/** A record of an import that failed, as its task read it back from the run's fail file. */
export interface NewFailedRecord {
  runId: string;
  /** The task type and the configured task's name, when the run came from one. */
  task: string;
  taskName?: string;
  /** The input file's original name. */
  file?: string;
  /** The fail file it was read from (absolute path). */
  failFile: string;
  /** 0-based position in the fail file. */
  index: number;
  /** The record as it came in (XML text, without the <errors> the fail file added). */
  record: string;
  invoiceId?: string;
  externalId?: string;
  errors: FailedRecordError[];
}

export interface FailedRecord extends NewFailedRecord {
  id: string;
  /** When it was added. */
  at: string;
}

export interface FailedRecordQuery {
  /** Part of the invoice id, externalId, file name, error code, message or field, case-insensitive. */
  text?: string;
  /** Records with an error of this code. */
  code?: string;
  runId?: string;
  /** Page size (default 50) and how many matching records to skip, newest first. */
  limit?: number;
  offset?: number;
}

export interface FailedRecordPage {
  records: FailedRecord[];
  total: number;
}

export interface FailedRecordStore {
  add(records: NewFailedRecord[]): Promise<FailedRecord[]>;
  search(query?: FailedRecordQuery): Promise<FailedRecordPage>;
  get(id: string): Promise<FailedRecord | undefined>;
}

/** An action a person asked for (dashboard, API): who and when, for the record. */
export interface ActionEntry {
  at: string;
  /** The caller: "api.token" when it authenticated with the token, "local" on this machine without one. */
  who: string;
  action: 'retry-file' | 'retry-records' | 'run-task' | 'pause' | 'resume';
  /** What it acted on: a file name, a run id, a task name. */
  target?: string;
  /** What came of it, in words. */
  outcome: string;
}

export interface ActionLog {
  add(entry: Omit<ActionEntry, 'at'>): Promise<ActionEntry>;
  /** The newest actions, newest first. */
  recent(limit: number): Promise<ActionEntry[]>;
}

export interface StateStore {
  runs: RunHistory;
  watermarks: WatermarkStore;
  truth: TruthTable;
  /** The failed records of every import, searchable (the dashboard). */
  failures: FailedRecordStore;
  /** Actions people asked for, with who and when. */
  actions: ActionLog;
  /** Where a run keeps what it leaves for later (the GL export's entry id list). */
  artifacts(runId: string): RunArtifacts;
  /** How this agent coordinates with the others sharing the state (a lone agent's with the local files). */
  coordination: Coordination;
  /** Writes everything pending to disk (only what this process changed). */
  flush(): Promise<void>;
  /**
   * Takes the state folder for this process alone (`start`, `run`, `task`); DW_LOCKED if another
   * process has it. Returns whose stale lock was taken over, if one was, for the log.
   */
  lock(purpose: string): Promise<{ tookOverFrom?: string }>;
  /**
   * Whether lock() is held by one process of this agent on any host (a server's lock, given back by the
   * server when its holder dies), not only on this one: then a folder lock another host's process of
   * this agent left behind is stale once lock() is had.
   */
  readonly lockSpansHosts: boolean;
  /**
   * After lock(): makes the state fit to work on, or refuses (DW_STATE_READ) with how to repair it. A
   * damaged run history is set aside; damaged watermarks or truth table are not (see index.ts); runs
   * left `running` by a process that is gone are closed as `interrupted`.
   */
  recover(): Promise<StateRecovery>;
  /** Flushes and gives the lock back (if held). */
  unlock(): Promise<void>;
  /** Flushes and gives the lock back. */
  close(): Promise<void>;
}

export interface StateRecovery {
  /** Where a damaged run history was moved, if it was. */
  runHistorySetAside?: string;
  /** The runs just closed as `interrupted`. */
  interrupted: RunRecord[];
  /** Temp files of writes a crash cut short, removed (the files they were replacing are whole). */
  tempsRemoved: number;
}

/**
 * What claiming a schedule's fire time found: this agent runs it (`run`); another agent had claimed it;
 * or a run of the task is still going (`runningOn`, that run's agent), so the time is claimed and
 * skipped, as one agent skips a time its last run overran.
 */
export type FireClaim = { run: true } | { run: false; runningOn?: string };

/** The lease generation a durable write is made under: refused (DW_FENCED) once another agent adopted this one's work. */
export interface Fence {
  agent: string;
  generation: number;
}

/** What an agent tells the others about itself when it registers. */
export interface AgentRegistration {
  name: string;
  host: string;
  pid: number;
  version: string;
  /** Its own work folder (`<folders.work>/<name>`), as it sees it. */
  workDir: string;
}

/** An agent as the registry knows it. */
export interface AgentRecord extends AgentRegistration {
  generation: number;
  leaseUntil: string;
  startedAt: string;
  heartbeatAt: string;
  stoppedAt?: string;
  /** Nothing is left in its work/processing to adopt (it stopped cleanly with none, or an adopter moved it all). */
  nothingLeft: boolean;
  adoptedBy?: string;
  adoptedAt?: string;
  /** Whether its lease runs now. */
  live: boolean;
}

export interface Heartbeat {
  leaseUntil: Date;
  /** The agents whose lease runs now, this one included: they share each connection's rate budget. */
  liveAgents: number;
}

/**
 * How the agents sharing one state coordinate: a lease per agent (renewed by heartbeats, its generation
 * the fence of every durable write), adoption of a dead agent's work, and each schedule fire time run
 * once. A lone agent (the local backend) has nothing to coordinate with.
 */
export interface Coordination {
  /** False for a lone agent: no lease, no adoption. */
  readonly shared: boolean;
  /** Registers (or registers again) this agent under a new generation. */
  register(agent: AgentRegistration): Promise<Fence>;
  /** Renews the lease; DW_FENCED when the generation moved (another agent adopted this one's work). */
  heartbeat(): Promise<Heartbeat>;
  /** The agents whose lease expired and that left work behind (or whose adopter died, or failed, before it was done), other than this one. */
  adoptable(): Promise<AgentRecord[]>;
  /**
   * Fences `dead` (bumps its generation) if its lease is still expired and no one else adopted it since
   * it was listed; true when this agent won it, so that it alone moves the dead agent's files.
   */
  adopt(dead: AgentRecord): Promise<boolean>;
  /** After adopt(): every file of `dead` was moved; it is not adoptable again until it registers again. */
  adopted(dead: AgentRecord): Promise<void>;
  /** Claims a schedule's fire time for this agent: claimed by exactly one agent per task and time, and run unless a run of the task is still going. */
  claimFire(task: string, fireAt: Date): Promise<FireClaim>;
  /** Every registered agent, live or not. */
  agents(): Promise<AgentRecord[]>;
  /** Gives the lease back at a clean stop; `processingEmpty`: nothing was left to adopt. */
  stop(options: { processingEmpty: boolean }): Promise<void>;
  /** The generation this agent's durable writes are made under; undefined before it registered. */
  fence(): Fence | undefined;
  /**
   * Runs `work` (a step outside the state, like placing an output file) while holding the fence: an
   * adoption of this agent waits until it is done, and a fenced agent does not run it (DW_FENCED).
   */
  holding<T>(doing: string, work: () => Promise<T>): Promise<T>;
}
