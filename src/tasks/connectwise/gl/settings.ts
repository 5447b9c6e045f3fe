// The settings of connectwise.export-gl-batch (seed 002), and the ExportAccountingBatchRequest they
// turn into.
import { SettingsReader } from '../../settings.js';
import { NULL_FIELDS_OPTIONS, type NullFields } from '../schema/export-shapes.js';
import { GL_REFERENCE_ALIASES, GL_REFERENCE_PATHS, canonicalGlReference } from './reference-paths.js';

export const EXPORT_GL_BATCH_TYPE = 'connectwise.export-gl-batch';

export const SUMMARIZE_OPTIONS = ['Default', 'Condensed', 'Detailed'] as const;

export interface GlBatchSettings {
  exportUnpostedInvoices: boolean;
  exportUnpostedExpenses: boolean;
  exportUnpostedProcurement: boolean;
  outputFile: string;
  locationId?: number;
  /** Looked up only when locationId is empty. */
  locationName?: string;
  /** ISO date-time in UTC. */
  thruDate?: string;
  referencesToFetch: string[];
  referencesPageSize: number;
  batchIdentifier?: string;
  summarizeInvoices?: (typeof SUMMARIZE_OPTIONS)[number];
  /** Create the accounting batch of the exported entries once the file is committed (connectwise.create-accounting-batch). */
  createBatch: boolean;
  nullFields: NullFields;
}

const ALLOWED_REFERENCES = new Map<string, string>([...GL_REFERENCE_PATHS, ...Object.keys(GL_REFERENCE_ALIASES)].map((p) => [p.toLowerCase(), canonicalGlReference(p)]));

export function parseGlBatchSettings(raw: Record<string, unknown>): GlBatchSettings {
  const r = new SettingsReader(raw, EXPORT_GL_BATCH_TYPE);
  const settings: GlBatchSettings = {
    exportUnpostedInvoices: r.bool('exportUnpostedInvoices', true),
    exportUnpostedExpenses: r.bool('exportUnpostedExpenses', false),
    exportUnpostedProcurement: r.bool('exportUnpostedProcurement', false),
    outputFile: r.fileName('outputFile', 'connectwise_accounting_interface_get_batch.xml'),
    locationId: r.int('locationId', { min: 0, max: 2_147_483_647 }),
    locationName: r.string('locationName'),
    thruDate: r.date('thruDate'),
    referencesToFetch: [],
    referencesPageSize: r.int('referencesPageSize', { min: 1, max: 1000, default: 100 }),
    batchIdentifier: r.string('batchIdentifier'),
    summarizeInvoices: r.oneOf('summarizeInvoices', SUMMARIZE_OPTIONS),
    createBatch: r.bool('createBatch', false),
    nullFields: r.oneOf('nullFields', NULL_FIELDS_OPTIONS, 'schema'),
  };
  if (!settings.exportUnpostedInvoices && !settings.exportUnpostedExpenses && !settings.exportUnpostedProcurement) {
    r.problem('at least one of "exportUnpostedInvoices", "exportUnpostedExpenses" and "exportUnpostedProcurement" must be True');
  }
  if (settings.batchIdentifier !== undefined && settings.batchIdentifier.length > 50) r.problem('"batchIdentifier" must be at most 50 characters');
  const unknown: string[] = [];
  for (const reference of r.stringList('referencesToFetch', 'reference')) {
    const known = ALLOWED_REFERENCES.get(reference.toLowerCase());
    if (known === undefined) unknown.push(reference);
    else if (!settings.referencesToFetch.includes(known)) settings.referencesToFetch.push(known);
  }
  if (unknown.length > 0) {
    r.problem(`"referencesToFetch" has ${unknown.map((u) => JSON.stringify(u)).join(', ')}, which this task cannot fetch; the allowed references are ${[...GL_REFERENCE_PATHS, ...Object.keys(GL_REFERENCE_ALIASES)].join(', ')}`);
  }
  r.done();
  return settings;
}

/** The ExportAccountingBatchRequest body; locationId 0 means every location (as ConnectWise's own clients send). */
export function exportRequest(settings: GlBatchSettings, locationId: number | undefined): Record<string, unknown> {
  return {
    exportInvoicesFlag: settings.exportUnpostedInvoices,
    exportExpensesFlag: settings.exportUnpostedExpenses,
    exportProductsFlag: settings.exportUnpostedProcurement,
    ...(locationId === undefined ? {} : { locationId }),
    ...(settings.thruDate === undefined ? {} : { thruDate: settings.thruDate }),
    ...(settings.batchIdentifier === undefined ? {} : { batchIdentifier: settings.batchIdentifier }),
    ...(settings.summarizeInvoices === undefined ? {} : { summarizeInvoices: settings.summarizeInvoices }),
  };
}
