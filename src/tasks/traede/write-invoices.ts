// Writes the pulled invoices as one `<Invoices>` document (field names as Traede gives them, lines as
// <lines><line>) while they arrive, and commits it: when this returns, the file is fsynced and in
// place in the outbox. Only the ids are kept (they are marked once the file is safe). On any failure,
// of the pull or of the write, the output is dropped, so nothing half-written is ever taken for exported.
import { toDropwiseError } from '../../errors.js';
import type { TraedeInvoice } from '../../connectors/traede/client.js';
import { XmlDocumentWriter } from '../../xml/writer.js';
import type { TaskContext } from '../types.js';

const PROGRESS_EVERY = 500;

export interface WrittenInvoices {
  /** The committed path (the outbox may add a suffix rather than overwrite a file not yet collected); undefined when nothing was written. */
  path: string | undefined;
  /** The ids of the invoices in the file, in file order. */
  ids: number[];
}

/**
 * `keepEmpty`: commit an empty `<Invoices/>` document when there are no invoices; otherwise nothing is
 * written (the outbox is not even touched) when the pull brings none.
 */
export async function writeInvoicesFile(
  ctx: Pick<TaskContext, 'outbox' | 'progress'>,
  name: string,
  invoices: AsyncIterable<TraedeInvoice>,
  keepEmpty: boolean,
): Promise<WrittenInvoices> {
  const pulled = invoices[Symbol.asyncIterator]();
  const first = await pulled.next();
  const ids: number[] = [];
  if (first.done === true && !keepEmpty) return { path: undefined, ids };
  const file = await ctx.outbox.create('success', name).catch(async (err: unknown) => {
    await pulled.return?.();
    throw err;
  });
  try {
    const writer = new XmlDocumentWriter(file.stream);
    await writer.start('Invoices');
    for (let next = first; next.done !== true; next = await pulled.next()) {
      await writer.write('Invoice', next.value);
      ids.push(next.value.id);
      if (ids.length % PROGRESS_EVERY === 0) ctx.progress({ records: ids.length });
    }
    await writer.end();
    return { path: await file.commit(), ids };
  } catch (err) {
    await pulled.return?.();
    await file.abort().catch(() => undefined);
    throw toDropwiseError(err, 'DW_OUTPUT_WRITE');
  }
}
