// The settings of the ConnectWise list exports (seeds 000 invoices, 001 batches), and what differs
// between those exports: endpoint, XML names, the references and Where settings each may use.
import { buildConditionString, type ConditionListName } from '../../connectors/connectwise/conditions.js';
import type { CwQuery } from '../../connectors/connectwise/client.js';
import type { ReferenceSpec } from '../../connectors/connectwise/references.js';
import { SettingsReader } from '../settings.js';
import { readConditionSettings } from './condition-settings.js';
import { NULL_FIELDS_OPTIONS, type NullFields } from './schema/export-shapes.js';

export const EXPORT_MODES = ['Modified', 'New', 'All'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

/** What differs between the list exports: the endpoint, the XML names and what may be fetched. */
export interface RecordExportKind {
  type: string;
  summary: string;
  endpoint: string;
  /** Plural root and singular record element: Invoices/Invoice. */
  root: string;
  record: string;
  /** The 2022.1 schema of a record, for `nullFields: "schema"`. */
  schema: string;
  defaultOutputFile: string;
  /** The references "References To Fetch" may name. */
  references: Record<string, Omit<ReferenceSpec, 'name'>>;
  /** The Where settings the seed lists for this export. */
  whereSettings: readonly ConditionListName[];
}

export interface RecordExportSettings {
  exportMode: ExportMode;
  /** Starting watermarks (ISO, UTC); a stored watermark wins once a run has advanced it. */
  dateCreated: string | undefined;
  dateModified: string | undefined;
  pageSize: number;
  outputFile: string;
  references: ReferenceSpec[];
  referencesPageSize: number;
  /** The Where settings as ConnectWise query strings ('' for none). */
  query: Required<Pick<CwQuery, 'conditions' | 'childConditions' | 'customFieldConditions'>>;
  /** Zynk writes the document even when nothing matched. */
  writeEmptyFile: boolean;
  nullFields: NullFields;
}

export function parseRecordExportSettings(kind: RecordExportKind, raw: Record<string, unknown>): RecordExportSettings {
  const reader = new SettingsReader(raw, kind.type);
  const exportMode = reader.oneOf('exportMode', EXPORT_MODES, 'Modified');
  const dateCreated = reader.date('dateCreated');
  const dateModified = reader.date('dateModified');
  const pageSize = reader.int('pageSize', { min: 1, max: 1000, default: 100 });
  const outputFile = reader.fileName('outputFile', kind.defaultOutputFile);
  const references = readReferences(reader, kind);
  const referencesPageSize = reader.int('referencesPageSize', { min: 1, max: 1000, default: 100 });
  const where = kind.whereSettings.map((name) => [name, reader.list(name, 'condition')] as const);
  const writeEmptyFile = reader.bool('writeEmptyFile', true);
  const nullFields = reader.oneOf('nullFields', NULL_FIELDS_OPTIONS, 'schema');
  reader.done();
  const query = { conditions: '', childConditions: '', customFieldConditions: '' };
  for (const [name, items] of where) query[name] = buildConditionString(name, readConditionSettings(name, items));
  return { exportMode, dateCreated, dateModified, pageSize, outputFile, references, referencesPageSize, query, writeEmptyFile, nullFields };
}

function readReferences(reader: SettingsReader, kind: RecordExportKind): ReferenceSpec[] {
  const allowed = Object.keys(kind.references);
  const specs = new Map<string, ReferenceSpec>();
  for (const name of reader.stringList('referencesToFetch', 'reference')) {
    const known = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (known === undefined) {
      reader.problem(
        allowed.length === 0
          ? `"referencesToFetch": ${kind.type} has no references to fetch (was "${name}")`
          : `"referencesToFetch": "${name}" is not a reference of ${kind.type}; use ${allowed.join(', ')}`,
      );
    } else {
      specs.set(known, { name: known, ...(kind.references[known] as Omit<ReferenceSpec, 'name'>) });
    }
  }
  return [...specs.values()];
}
