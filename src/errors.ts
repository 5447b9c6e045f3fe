// Every failure dropwise reports carries a stable DW_* code. The same code appears in logs, in the run
// history and in the <errors> annotation of fail files, so an operator can search for it.

import { redactor } from './secrets.js';

export const ERROR_CODES = {
  // configuration and start-up
  DW_CONFIG_INVALID: 'A setting in the configuration is missing or has a wrong value',
  DW_CONNECTION_UNKNOWN: 'A task names a connection that is not configured or of the wrong kind, or none of the kind it needs can be chosen',
  // input files
  DW_FILE_EMPTY: 'The file is empty',
  DW_FILE_TOO_LARGE: 'The file is larger than processing.maxFileBytes',
  DW_FILE_UNREADABLE: 'The file given to dropwise run or validate does not exist',
  DW_FILE_NOT_REGULAR: 'The entry is a symbolic link, a folder, a FIFO, a socket or a device, not a regular file',
  DW_XML_MALFORMED: 'The file is not well-formed XML',
  DW_XML_ENCODING: 'The file is not valid text in the encoding it declares, or declares one dropwise does not read',
  DW_XML_UNSAFE: 'The file uses an XML feature dropwise refuses (DOCTYPE/entities)',
  DW_UNKNOWN_ROOT: 'No task handles files with this root element',
  DW_TASK_REQUEST_INVALID: 'The task request is not valid',
  DW_TASK_UNKNOWN: 'The task or task type is not known',
  DW_TASK_RUNNING: 'The configured task (or the handed-over file) is running already; one run at a time',
  DW_SETTINGS_INVALID: 'A task setting is missing or has a wrong value',
  DW_CONDITION_INVALID: 'A condition setting cannot be turned into a ConnectWise query',
  DW_RECORD_INVALID: 'A record in the file has missing or wrong values',
  DW_ALREADY_PROCESSED: 'The record was imported before and preventReprocessing is on',
  DW_DUPLICATE_IN_FILE: 'Another record in the same file already targets this invoice',
  DW_NOT_A_BATCH_REQUEST: 'A <Batches> file lists no GL entries (glRecIds): an export of batches, not a batch request',
  DW_GL_RUN_NOT_FOUND: 'The GL export run named by fromRun is not in the run history, or its GL entry ids are no longer kept',
  DW_BATCH_ENTRIES_REFUSED: 'ConnectWise refused the GL entries of a batch (already in another batch, or unknown)',
  DW_BATCH_IDENTIFIER_TAKEN: 'ConnectWise already has a batch with this batchIdentifier for other GL entries',
  // outputs and local state
  DW_OUTPUT_WRITE: 'An output file could not be written',
  DW_OUTPUT_PATH: 'An output file name is not allowed (path tricks, reserved names)',
  DW_STATE_WRITE: 'The state store could not be written',
  DW_STATE_READ: 'A state file could not be read (damaged or unreadable)',
  DW_LOCKED: 'Another dropwise process is using the same work or state folder',
  DW_STATE_UNAVAILABLE: 'The PostgreSQL state store cannot be reached, or refused the connection',
  DW_STATE_SCHEMA: 'The PostgreSQL state schema is not migrated yet, is newer than this dropwise, or a migration of it failed',
  DW_FENCED: "This agent's lease ran out and another agent adopted its work; the work it still held was left to that agent",
  // remote systems
  DW_CW_AUTH: 'ConnectWise refused the credentials',
  DW_CW_FORBIDDEN: 'ConnectWise refused the action for this API member',
  DW_CW_NOT_FOUND: 'ConnectWise has no such record',
  DW_CW_VALIDATION: 'ConnectWise refused the values sent',
  DW_CW_CONFLICT: 'ConnectWise reported a conflict',
  DW_CW_RATE_LIMITED: 'ConnectWise kept rate-limiting the requests',
  DW_CW_UNAVAILABLE: 'ConnectWise did not answer properly (5xx, timeout or dropped connection)',
  DW_CW_RESPONSE: 'ConnectWise answered with a body that is not JSON',
  DW_CW_CREATE_UNCONFIRMED: 'A create got no answer and what it made did not appear in time; it was not sent again',
  DW_JSON_MALFORMED: 'A JSON response is not well-formed or was cut off',
  DW_TRAEDE_AUTH: 'Traede refused the token or app key',
  DW_TRAEDE_REQUEST: 'Traede refused the request',
  DW_TRAEDE_UNAVAILABLE: 'Traede did not answer properly (5xx, timeout or dropped connection)',
  DW_TRAEDE_RESPONSE: 'Traede answered with a body that is not JSON or not of the expected shape',
  DW_HTTP_NETWORK: 'The connection to the remote system failed',
  DW_HTTP_TIMEOUT: 'The remote system did not answer in time',
  // notifications
  DW_NOTIFY_FAILED: 'A notification (e-mail or webhook) could not be delivered',
  // the agent's local API
  DW_API_LISTEN: 'The local API could not listen on api.host:api.port',
  DW_AGENT_NOT_RUNNING: 'No running agent was found for these folders',
  DW_API_REFUSED: "The running agent's API refused or failed the request",
  // lifecycle
  DW_SHUTDOWN: 'The agent is stopping; the work will resume at the next start',
  DW_INTERNAL: 'An unexpected failure with no better code (a bug, a task that failed without a reason, the service manager refusing)',
} as const;

export type DwCode = keyof typeof ERROR_CODES;

/**
 * Why trying again later may succeed where now failed: the failure is not the input's fault.
 * - `remote`: the remote system was down, unreachable or rate-limiting; a new request may succeed now.
 * - `local`: an output or a state file could not be written; asking the remote again will not fix that.
 * - `stopping`: the agent is stopping; the work resumes at the next start.
 */
export type RetryCause = 'remote' | 'local' | 'stopping';

/** The one rule for "try again later", by code. A code not listed here is the input's (or a person's) to fix. */
export const RETRY_LATER: Readonly<Partial<Record<DwCode, RetryCause>>> = {
  DW_CW_UNAVAILABLE: 'remote',
  DW_CW_RATE_LIMITED: 'remote',
  DW_TRAEDE_UNAVAILABLE: 'remote',
  DW_HTTP_NETWORK: 'remote',
  DW_HTTP_TIMEOUT: 'remote',
  DW_OUTPUT_WRITE: 'local',
  DW_STATE_WRITE: 'local',
  DW_STATE_UNAVAILABLE: 'local',
  DW_FENCED: 'stopping',
  DW_SHUTDOWN: 'stopping',
};

export const retryCause = (code: DwCode): RetryCause | undefined => RETRY_LATER[code];

export interface DropwiseErrorOptions {
  /** The field the error is about, as a slash path (`invoice/id`). */
  field?: string;
  /** The HTTP status the remote system answered with. */
  httpStatus?: number;
  /** What the user should do next. */
  hint?: string;
  /**
   * Whether the same request, made again, may succeed. Defaults to the code's rule (true for a `remote`
   * cause); set it for an error whose code alone does not say (a JSON stream cut off, not malformed).
   */
  retryable?: boolean;
  cause?: unknown;
}

export class DropwiseError extends Error {
  readonly code: DwCode;
  readonly field: string | undefined;
  readonly httpStatus: number | undefined;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(code: DwCode, message: string, options: DropwiseErrorOptions = {}) {
    // Messages end up in fail files, .error.xml files, the run history and on consoles, not only in
    // the log: scrub secrets here, once, wherever the error was made.
    super(redactor.redactString(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DropwiseError';
    this.code = code;
    this.field = options.field;
    this.httpStatus = options.httpStatus;
    this.hint = options.hint === undefined ? undefined : redactor.redactString(options.hint);
    this.retryable = options.retryable ?? retryCause(code) === 'remote';
  }

  /** The message with its hint, as shown to a person. */
  get fullMessage(): string {
    if (!this.hint) return this.message;
    return /[.!?]$/.test(this.message) ? `${this.message} ${this.hint}` : `${this.message}. ${this.hint}`;
  }
}

/** Wraps anything thrown into a DropwiseError, keeping DropwiseErrors as they are. */
export function toDropwiseError(err: unknown, fallback: DwCode = 'DW_INTERNAL'): DropwiseError {
  if (err instanceof DropwiseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DropwiseError(fallback, message, { cause: err });
}

export function isDropwiseError(err: unknown, code?: DwCode): err is DropwiseError {
  return err instanceof DropwiseError && (code === undefined || err.code === code);
}

/** Keep the input (in work/processing) and run it again with back-off and at the next start, rather than fail it? */
export function keepForRetry(err: DropwiseError): boolean {
  return retryCause(err.code) !== undefined;
}

/**
 * Is another attempt at the same request, right now, worth making? For a remote failure, or one
 * marked retryable where it was made; never for a local failure or while the agent stops.
 */
export function worthAnotherAttempt(err: DropwiseError): boolean {
  const cause = retryCause(err.code);
  return cause === undefined ? err.retryable : cause === 'remote';
}
