// Marks exported invoices in Traede, at most MARK_BATCH_MAX per call, one call after the other. Runs
// only after the output file is safe. A call Traede refuses (4xx) is retried invoice by invoice, so
// one invoice Traede will not mark does not keep nine others coming back; when Traede is unreachable,
// marking stops. Whatever stays unmarked is exported again next run. A stop of the agent does not cut
// marking short: the file is already committed, so every invoice left unmarked would surely be
// exported twice; the agent's grace period covers the few calls left.
import { MARK_BATCH_MAX, type TraedeClient } from '../../connectors/traede/client.js';
import { DropwiseError, toDropwiseError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { crashPoint } from '../../crash-point.js';

export interface MarkOptions {
  systemId: string;
  note: string;
  log: Logger;
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
  return { marked, unmarked: ids.filter((id) => !done.has(id)), error };
}
