// Zynk's "Creating Accounting Batches" input: <Batches><Batch><batchIdentifier>…</batchIdentifier>
// <glRecIds><glRecId>320042</glRecId>…</glRecIds></Batch></Batches>, several <Batch> per file, each
// its own result. The file is read whole before anything is sent (these files are small: ids, not
// records). An export's <Batches> (export-batches writes the same root) has no <glRecIds> at all:
// that file is refused as a whole, with a hint, instead of failing every batch in it.
import { DropwiseError } from '../../../errors.js';
import { readRecords, type XmlElement } from '../../../xml/reader.js';
import { BATCH_IDENTIFIER_MAX } from './identifier.js';

export const BATCHES_ROOT = 'Batches';
const MAX_ID = 2_147_483_647;

export interface FileBatch {
  /** 0-based position among the root's children. */
  index: number;
  element: XmlElement;
  /** As given; undefined when the file gives none. */
  batchIdentifier?: string;
  /** Sorted, without repeats. */
  ids: number[];
  /** Problems found without any request; such a batch goes to the fail file. */
  errors: DropwiseError[];
}

const recordError = (no: number, message: string, field: string): DropwiseError => new DropwiseError('DW_RECORD_INVALID', `Batch ${no}: ${message}`, { field });

function readBatch(element: XmlElement, index: number): FileBatch {
  const no = index + 1;
  const errors: DropwiseError[] = [];
  const batch: FileBatch = { index, element, ids: [], errors };
  if (element.name !== 'Batch') {
    errors.push(recordError(no, `<${element.name}> is not a <Batch>`, element.name));
    return batch;
  }
  const kids = element.children;
  const identifier = kids.find((k) => k.name === 'batchIdentifier');
  const text = identifier ? identifier.text.trim() : '';
  if (text !== '') {
    if (text.length > BATCH_IDENTIFIER_MAX) errors.push(recordError(no, `batchIdentifier "${text}" is longer than ${BATCH_IDENTIFIER_MAX} characters`, 'batchIdentifier'));
    // A quote could not be looked up reliably in a ConnectWise condition.
    else if (text.includes('"')) errors.push(recordError(no, `batchIdentifier "${text}" contains a double quote`, 'batchIdentifier'));
    else batch.batchIdentifier = text;
  }
  const container = kids.find((k) => k.name === 'glRecIds');
  const ids = new Set<number>();
  const bad: string[] = [];
  for (const item of container ? container.children : []) {
    const value = item.text.trim();
    const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (item.name !== 'glRecId' || !(id >= 1 && id <= MAX_ID)) bad.push(item.name === 'glRecId' ? JSON.stringify(value) : `<${item.name}>`);
    else ids.add(id);
  }
  if (bad.length > 0) errors.push(recordError(no, `glRecIds must hold <glRecId> elements with positive whole numbers; not ${bad.slice(0, 10).join(', ')}`, 'glRecIds/glRecId'));
  else if (ids.size === 0) errors.push(recordError(no, 'has no <glRecIds><glRecId>…</glRecId></glRecIds>: nothing to batch', 'glRecIds'));
  batch.ids = [...ids].sort((a, b) => a - b);
  return batch;
}

/** Every <Batch> of the file, checked, with repeats across batches refused on the later one. */
export async function readBatchFile(file: string): Promise<FileBatch[]> {
  const batches: FileBatch[] = [];
  let requests = 0;
  for await (const { element, index } of readRecords(file, { expectRoot: BATCHES_ROOT })) {
    if (element.children.some((k) => k.name === 'glRecIds')) requests++;
    batches.push(readBatch(element, index));
  }
  if (batches.length > 0 && requests === 0) {
    throw new DropwiseError('DW_NOT_A_BATCH_REQUEST', `None of the ${batches.length} <Batch> elements has <glRecIds>: this looks like an export of batches, not a batch request`, {
      hint: 'A batch request lists the GL entry ids to post: <Batches><Batch><batchIdentifier>…</batchIdentifier><glRecIds><glRecId>…</glRecId></glRecIds></Batch></Batches>',
    });
  }
  const identifiers = new Map<string, number>();
  const entries = new Map<number, number>();
  for (const batch of batches) {
    if (batch.errors.length > 0) continue;
    const no = batch.index + 1;
    const sameName = batch.batchIdentifier === undefined ? undefined : identifiers.get(batch.batchIdentifier);
    if (sameName !== undefined) {
      batch.errors.push(new DropwiseError('DW_DUPLICATE_IN_FILE', `Batch ${no}: batchIdentifier "${batch.batchIdentifier ?? ''}" is already used by batch ${sameName} of this file`, { field: 'batchIdentifier' }));
      continue;
    }
    const repeated = batch.ids.filter((id) => entries.has(id));
    if (repeated.length > 0) {
      batch.errors.push(new DropwiseError('DW_DUPLICATE_IN_FILE', `Batch ${no}: GL entries ${repeated.slice(0, 20).join(', ')} are already in batch ${entries.get(repeated[0] as number) ?? 0} of this file`, { field: 'glRecIds', hint: 'A GL entry can be posted in one batch only' }));
      continue;
    }
    if (batch.batchIdentifier !== undefined) identifiers.set(batch.batchIdentifier, no);
    for (const id of batch.ids) entries.set(id, no);
  }
  return batches;
}
