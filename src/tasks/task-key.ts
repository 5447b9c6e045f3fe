// Which watermarks a run reads and advances. The rule:
// - A run whose effective settings and connection are exactly those of a configured task (its schedule,
//   `dropwise task NAME`, or a task request naming it without overriding anything) uses the configured
//   task's own key: its name.
// - Any other run (a request that overrides settings of a configured task, or names only a task type)
//   gets a key of its own, `<name or type>@<connection>#<fingerprint>`, where the fingerprint is a short
//   stable hash of the effective settings. So an ad-hoc request never moves a schedule's watermark, two
//   different requests never share one, and the same request dropped again continues incrementally.
// The fingerprint leaves out outputFile (where the result goes, not what it holds) and the date
// watermark settings themselves (the task treats a changed date setting as a new starting point).
import { createHash } from 'node:crypto';

const NOT_FINGERPRINTED = new Set(['outputfile', 'datecreated', 'datemodified']);

/** JSON with object keys sorted (and top-level names lower-cased, as settings compare case-insensitively). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const lowerKeys = (settings: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(settings).map(([k, v]) => [k.toLowerCase(), v]));

/** Do two sets of settings say exactly the same (key order and the case of setting names aside)? */
export function sameSettings(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonical(lowerKeys(a)) === canonical(lowerKeys(b));
}

/** 12 hex digits of a hash of the settings that decide what a run exports. */
export function settingsFingerprint(settings: Record<string, unknown>): string {
  const relevant = Object.fromEntries(Object.entries(lowerKeys(settings)).filter(([k]) => !NOT_FINGERPRINTED.has(k)));
  return createHash('sha256').update(canonical(relevant)).digest('hex').slice(0, 12);
}

export interface KeyedTask {
  type: string;
  /** The configured task the run comes from, if any. */
  taskName?: string;
  /** True when the run's settings and connection are the configured task's own. */
  asConfigured: boolean;
  settings: Record<string, unknown>;
}

export function watermarkKey(task: KeyedTask, connection: string | undefined): string {
  if (task.taskName !== undefined && task.asConfigured) return task.taskName;
  return `${task.taskName ?? task.type}@${connection ?? 'default'}#${settingsFingerprint(task.settings)}`;
}
