// Settings of traede.export-invoices (seed 003 in camelCase), from config JSON or a task request.
import type { TraedeFilterGroup } from '../../connectors/traede/filter-groups.js';
import { SettingsReader } from '../settings.js';
import { readFilterGroups } from './filter-group-settings.js';

export const TRAEDE_EXPORT_INVOICES_TYPE = 'traede.export-invoices';

/** Replaced in `note` by the name the output file was committed under. */
export const FILE_PLACEHOLDER = '{file}';

export interface TraedeExportInvoicesSettings {
  /** Which target system's exported bookkeeping Traede keeps (one stable value per target). */
  systemId: string;
  /** ISO 8601 UTC: also re-export invoices marked as exported since then. */
  notExportedSince: string | undefined;
  includeNonBooked: boolean;
  filterGroups: TraedeFilterGroup[];
  includeLines: boolean;
  outputFile: string;
  /** The note stored with each mark; `{file}` becomes the committed output file name. */
  note: string;
  /** Write an empty `<Invoices />` document when nothing is left to export. */
  writeEmptyFile: boolean;
}

export function parseExportInvoicesSettings(raw: Record<string, unknown>): TraedeExportInvoicesSettings {
  const reader = new SettingsReader(raw, TRAEDE_EXPORT_INVOICES_TYPE);
  const settings: TraedeExportInvoicesSettings = {
    systemId: reader.string('systemId', { required: true }),
    notExportedSince: reader.date('notExportedSince'),
    includeNonBooked: reader.bool('includeNonBooked', false),
    filterGroups: readFilterGroups(reader, TRAEDE_EXPORT_INVOICES_TYPE),
    includeLines: reader.bool('includeLines', true),
    outputFile: reader.fileName('outputFile', 'traede_invoices.xml'),
    note: reader.string('note') ?? `Exported by dropwise to ${FILE_PLACEHOLDER}`,
    writeEmptyFile: reader.bool('writeEmptyFile', false),
  };
  reader.done();
  return settings;
}
