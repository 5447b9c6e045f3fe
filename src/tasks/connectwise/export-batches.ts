// connectwise.export-batches (seed 001): the accounting batches as <Batches>/<Batch> XML, New /
// Modified / All with watermarks and Conditions. The seed offers no references for batches.
import { recordExportTask } from './export-records.js';

export const exportBatchesTask = recordExportTask({
  type: 'connectwise.export-batches',
  summary: 'Export ConnectWise accounting batches (New, Modified or All, filtered) as <Batches> XML',
  endpoint: '/finance/accounting/batches',
  root: 'Batches',
  record: 'Batch',
  schema: 'AccountingBatch',
  defaultOutputFile: 'batches.xml',
  references: {},
  whereSettings: ['conditions'],
});
