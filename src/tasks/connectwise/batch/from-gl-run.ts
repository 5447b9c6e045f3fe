// A batch of everything one GL export run exported, named after that run: used by a task request
// (`fromRun`) and by the GL export itself (`createBatch: true`, once its file is committed).
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';
import type { TaskContext } from '../../types.js';
import { BatchCreator, type BatchResult } from './creator.js';
import { BatchHistory, type ExportFlags } from './history.js';
import { identifierForGlRun } from './identifier.js';
import type { NullFields } from '../schema/export-shapes.js';

export interface GlRunToBatch {
  runId: string;
  /** Sorted, without repeats. */
  ids: number[];
  flags: ExportFlags;
  /** How the batch's <GLExport> answer is written. */
  nullFields: NullFields;
}

export async function batchGlRun(ctx: TaskContext, client: ConnectWiseClient, run: GlRunToBatch): Promise<BatchResult> {
  const creator = new BatchCreator(client, ctx, await BatchHistory.load(ctx.runs, ctx.connection.name('connectwise')), run.nullFields);
  return creator.create({ batchIdentifier: identifierForGlRun(run.runId), ids: run.ids, flags: run.flags, fromRun: run.runId });
}
