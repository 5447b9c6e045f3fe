// Writes the pulled invoices as one `<Invoices>` document (field names as Traede gives them, lines as
// <lines><line>) and commits it: when this returns, the file is fsynced and in place in the outbox.
// On any failure the output is dropped, so nothing half-written is ever taken for exported.
import { toDropwiseError } from '../../errors.js';
import type { TraedeInvoice } from '../../connectors/traede/client.js';
import { XmlDocumentWriter } from '../../xml/writer.js';
import type { TaskContext } from '../types.js';

const PROGRESS_EVERY = 500;

/** Returns the committed path (the outbox may add a suffix rather than overwrite a file not yet collected). */
export async function writeInvoicesFile(ctx: Pick<TaskContext, 'outbox' | 'progress'>, name: string, invoices: readonly TraedeInvoice[]): Promise<string> {
  const file = await ctx.outbox.create('success', name);
  try {
    const writer = new XmlDocumentWriter(file.stream);
    await writer.start('Invoices');
    for (const [n, invoice] of invoices.entries()) {
      await writer.write('Invoice', invoice);
      if ((n + 1) % PROGRESS_EVERY === 0) ctx.progress({ records: n + 1, total: invoices.length });
    }
    await writer.end();
    return await file.commit();
  } catch (err) {
    await file.abort().catch(() => undefined);
    throw toDropwiseError(err, 'DW_OUTPUT_WRITE');
  }
}
