// Marks exported invoices in Traede, at most MARK_BATCH_MAX per call, one call after the other. Runs
// only after the output file is safe. A call Traede refuses (4xx) is retried invoice by invoice, so
// one invoice Traede will not mark does not keep nine others coming back; when Traede is unreachable,
// marking stops. Whatever stays unmarked is exported again next run. A stop of the agent does not cut
// marking short: the file is already committed, so every invoice left unmarked would surely be
// exported twice; the agent's grace period covers the few calls left. A call that got no proper
// answer (a timeout, a 5xx) may still have been applied: before anything is reported unmarked,
// Traede's own list of unexported invoices is read again, and what is no longer on it was marked.
import { MARK_BATCH_MAX, type TraedeClient } from '../../connectors/traede/client.js';
import { DropwiseError, toDropwiseError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { crashPoint } from '../../crash-point.js';

export interface MarkOptions {
  systemId: string;
  note: string;
  log: Logger;
  /** The ids Traede lists as not yet exported to `systemId`, read again after a call without a proper answer. */
  stillUnexported?: () => Promise<readonly number[]>;
}

export interface MarkResult {
  marked: number[];
  unmarked: number[];
  /** The first failure; undefined when every invoice was marked. */
  error: DropwiseError | undefined;
}

export async function markExported(client: TraedeClient, ids: readonly number[], options: MarkOptions): Promise<MarkResult> {
  const { systemId, note, log } = options;
  const marked: number[] = [];
  let error: DropwiseError | undefined;
  /** A call failed without Traede saying no: it may have been applied all the same. */
  let outcomeUnknown = false;

  /** Marks `chunk`; returns the failure, and whether marking can go on with other invoices. */
  const mark = async (chunk: number[]): Promise<{ failure?: DropwiseError; goOn: boolean }> => {
    try {
      crashPoint('traede.mark-sent');
      await client.markAsExported(chunk.map((id) => ({ invoice_id: id, system_id: systemId, note })));
      crashPoint('traede.mark-answered');
      marked.push(...chunk);
      return { goOn: true };
    } catch (err) {
      const failure = toDropwiseError(err);
      log.warn('Traede did not mark invoices as exported', { systemId, invoices: chunk, code: failure.code, error: failure.message });
      if (failure.code === 'DW_TRAEDE_UNAVAILABLE') outcomeUnknown = true;
      return { failure, goOn: failure.code === 'DW_TRAEDE_REQUEST' };
    }
  };

  for (let start = 0; start < ids.length; start += MARK_BATCH_MAX) {
    const chunk = ids.slice(start, start + MARK_BATCH_MAX);
    let result = await mark(chunk);
    if (result.failure && result.goOn && chunk.length > 1) {
      result = { goOn: true };
      for (const id of chunk) {
        const single = await mark([id]);
        if (single.failure) result = { failure: result.failure ?? single.failure, goOn: single.goOn };
        if (!single.goOn) break;
      }
    }
    error ??= result.failure;
    if (!result.goOn) break;
  }
  const done = new Set(marked);
  if (outcomeUnknown && options.stillUnexported) await lookAgain(ids, done, marked, options.stillUnexported, log, systemId);
  const unmarked = ids.filter((id) => !done.has(id));
  return { marked, unmarked, error: unmarked.length > 0 ? error : undefined };
}

/** Adds to `marked` the invoices Traede no longer lists as unexported; if it cannot be asked, nothing. */
async function lookAgain(ids: readonly number[], done: Set<number>, marked: number[], stillUnexported: () => Promise<readonly number[]>, log: Logger, systemId: string): Promise<void> {
  let unexported: Set<number>;
  try {
    unexported = new Set(await stillUnexported());
  } catch (err) {
    log.warn('Traede could not be asked which invoices were marked after all', { systemId, code: toDropwiseError(err).code });
    return;
  }
  const applied = ids.filter((id) => !done.has(id) && !unexported.has(id));
  for (const id of applied) done.add(id);
  marked.push(...applied);
  if (applied.length > 0) log.info('Traede had marked invoices whose call got no answer', { systemId, invoices: applied.length });
}
