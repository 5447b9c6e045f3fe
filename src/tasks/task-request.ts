// Reads a task request: an XML document with root <TaskRequest>, or a JSON object with the same keys
// (ARCHITECTURE §3). Only the form is checked here; run-plan.ts decides what it names.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import { NO_FOLLOW } from '../fs/entry-kind.js';
import { DropwiseError } from '../errors.js';
import { elementToValue, readDocument } from '../xml/reader.js';
import type { TaskRef } from './run-plan.js';
import { isObject } from '../json/is-object.js';

export const TASK_REQUEST_ROOT = 'TaskRequest';
/** Task requests are a few lines; anything bigger is not one. */
export const MAX_TASK_REQUEST_BYTES = 1024 * 1024;

const KEYS = ['name', 'task', 'connection', 'settings'] as const;
const HINT = 'A task request has <name> (a configured task) or <task> (a task type), optionally <connection> and <settings>; see the README';

function invalid(message: string): DropwiseError {
  return new DropwiseError('DW_TASK_REQUEST_INVALID', message, { hint: HINT });
}


export async function readTaskRequest(file: string, kind: 'xml' | 'json'): Promise<TaskRef> {
  const { size } = await fs.stat(file);
  if (size > MAX_TASK_REQUEST_BYTES) {
    throw invalid(`The task request is ${size} bytes; task requests are limited to ${MAX_TASK_REQUEST_BYTES} bytes`);
  }
  return kind === 'json' ? fromJson(await fs.readFile(file, { encoding: 'utf8', flag: fsConstants.O_RDONLY | NO_FOLLOW })) : fromXml(file);
}

async function fromXml(file: string): Promise<TaskRef> {
  const root = await readDocument(file);
  if (root.name !== TASK_REQUEST_ROOT) throw invalid(`The root element is <${root.name}>, not <${TASK_REQUEST_ROOT}>`);
  const values: Record<string, unknown> = {};
  for (const el of root.children) {
    const key = el.name.toLowerCase();
    if (key in values) throw invalid(`<${el.name}> appears more than once`);
    values[key] = key === 'settings' ? settingsOf(el.name, elementToValue(el)) : el.text.trim();
  }
  return toRef(values, (k) => `<${k}>`);
}

function fromJson(text: string): TaskRef {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw invalid(`The JSON task request cannot be read: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw invalid('A JSON task request must be an object');
  const values = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), k.toLowerCase() === 'settings' ? settingsOf(k, v) : v]));
  return toRef(values, (k) => `"${k}"`);
}

/** Settings: an element with children (an object), or empty. */
function settingsOf(key: string, value: unknown): Record<string, unknown> {
  if (value === '' || value === null || value === undefined) return {};
  if (!isObject(value)) throw invalid(`${key} must contain one element per setting`);
  return value;
}

function toRef(values: Record<string, unknown>, show: (key: string) => string): TaskRef {
  const unknown = Object.keys(values).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw invalid(`Unknown ${unknown.map(show).join(', ')} in the task request (allowed: ${KEYS.map(show).join(', ')})`);
  const text = (key: 'name' | 'task' | 'connection'): string | undefined => {
    const v = values[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw invalid(`${show(key)} must be text`);
    return v;
  };
  const ref: TaskRef = { settings: (values['settings'] as Record<string, unknown> | undefined) ?? {} };
  const name = text('name');
  const type = text('task');
  const connection = text('connection');
  if (name !== undefined) ref.name = name;
  if (type !== undefined) ref.type = type;
  if (connection !== undefined) ref.connection = connection;
  if (name === undefined && type === undefined) throw invalid(`The task request names no task: give ${show('name')} or ${show('task')}`);
  return ref;
}
