// connectwise.export-invoices (seed 000): Finance › Invoice Search as <Invoices>/<Invoice> XML, New /
// Modified / All with watermarks, Where settings and the nine references the seed lists.
import { INVOICE_REFERENCES } from './invoice-references.js';
import { recordExportTask } from './export-records.js';

export const exportInvoicesTask = recordExportTask({
  type: 'connectwise.export-invoices',
  summary: 'Export ConnectWise invoices (New, Modified or All, filtered, with references) as <Invoices> XML',
  endpoint: '/finance/invoices',
  root: 'Invoices',
  record: 'Invoice',
  schema: 'Invoice',
  defaultOutputFile: 'invoices.xml',
  references: INVOICE_REFERENCES,
  whereSettings: ['conditions', 'childConditions', 'customFieldConditions'],
});
