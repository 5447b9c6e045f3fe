// Reads task settings that come either typed (config JSON, JSON task requests) or as strings (XML task
// requests), with one clear error per bad setting and unknown settings refused.
import { DropwiseError } from '../errors.js';
import { isoDateTime } from '../time/iso-8601.js';
import { outputNameProblem } from './output-name.js';
import { isObject } from '../json/is-object.js';

type Raw = Record<string, unknown>;


export class SettingsReader {
  private readonly used = new Set<string>();
  private readonly problems: string[] = [];
  private readonly keys: Map<string, string>;

  constructor(
    private readonly raw: Raw,
    private readonly taskType: string,
  ) {
    // Setting names match case-insensitively: XML writers often capitalise element names.
    this.keys = new Map(Object.keys(raw).map((k) => [k.toLowerCase(), k]));
  }

  private take(name: string): unknown {
    const key = this.keys.get(name.toLowerCase());
    if (key === undefined) return undefined;
    this.used.add(key);
    const value = this.raw[key];
    return typeof value === 'string' ? value.trim() : value;
  }

  private fail(name: string, rule: string, value: unknown): undefined {
    this.problems.push(`"${name}" ${rule} (was ${JSON.stringify(value)})`);
    return undefined;
  }

  has(name: string): boolean {
    const v = this.keys.has(name.toLowerCase()) ? this.raw[this.keys.get(name.toLowerCase()) as string] : undefined;
    return v !== undefined && v !== null && v !== '';
  }

  string(name: string, opts: { required: true; default?: string }): string;
  string(name: string, opts: { required?: boolean; default: string }): string;
  string(name: string, opts?: { required?: boolean; default?: string }): string | undefined;
  string(name: string, opts: { required?: boolean; default?: string } = {}): string | undefined {
    const v = this.take(name);
    if (v === undefined || v === null || v === '') {
      if (opts.default !== undefined) return opts.default;
      if (opts.required) this.problems.push(`"${name}" is required`);
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') return this.fail(name, 'must be text', v);
    return String(v);
  }

  /**
   * An output file name (outputFile, successFile, failFile), given or `defaultValue`, checked by the
   * outbox's rule now, so a bad name is refused before any request rather than at the first output.
   */
  fileName(name: string, defaultValue: string): string {
    const value = this.string(name, { default: defaultValue });
    const why = outputNameProblem(value);
    if (why !== undefined) {
      const given = this.has(name) ? '' : ' (its default)';
      this.problems.push(`"${name}" ${JSON.stringify(value)}${given} is not a usable file name: ${why}`);
    }
    return value;
  }

  bool(name: string, defaultValue: boolean): boolean {
    const v = this.take(name);
    if (v === undefined || v === null || v === '') return defaultValue;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|1|yes)$/i.test(v)) return true;
    if (typeof v === 'string' && /^(false|0|no)$/i.test(v)) return false;
    this.fail(name, 'must be True or False', v);
    return defaultValue;
  }

  int(name: string, opts: { min: number; max: number; default: number }): number;
  int(name: string, opts: { min: number; max: number; default?: number }): number | undefined;
  int(name: string, opts: { min: number; max: number; default?: number }): number | undefined {
    const v = this.take(name);
    if (v === undefined || v === null || v === '') return opts.default;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < opts.min || n > opts.max) {
      return this.fail(name, `must be a whole number from ${opts.min} to ${opts.max}`, v) ?? opts.default;
    }
    return n;
  }

  oneOf<T extends string>(name: string, values: readonly T[], defaultValue: T): T;
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined;
  oneOf<T extends string>(name: string, values: readonly T[], defaultValue?: T): T | undefined {
    const v = this.take(name);
    if (v === undefined || v === null || v === '') return defaultValue;
    const match = values.find((x) => typeof v === 'string' && x.toLowerCase() === v.toLowerCase());
    if (match === undefined) return this.fail(name, `must be one of ${values.join(', ')}`, v) ?? defaultValue;
    return match;
  }

  /** An ISO 8601 date or date-time, also in ConnectWise's brackets; returned in UTC (`2024-01-31T00:00:00Z`). */
  date(name: string): string | undefined {
    const v = this.take(name);
    if (v === undefined || v === null || v === '') return undefined;
    const date = typeof v === 'string' ? isoDateTime(v.replace(/^\[(.*)\]$/, '$1')) : undefined;
    return date ?? this.fail(name, 'must be an ISO 8601 date, e.g. 2024-01-31T00:00:00Z', v);
  }

  /**
   * A list: a JSON array, an XML container (`<referencesToFetch><reference>a</reference>…`, which
   * arrives as `{ reference: 'a' | ['a', …] }`), or for plain values a comma-separated string.
   */
  list(name: string, itemName: string): unknown[] {
    const v = this.take(name);
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v;
    if (isObject(v)) {
      const key = Object.keys(v).find((k) => k.toLowerCase() === itemName.toLowerCase());
      const others = Object.keys(v).filter((k) => k !== key);
      if (others.length > 0) this.fail(name, `may only contain <${itemName}> items`, others);
      if (key === undefined) return [];
      const items = v[key];
      return Array.isArray(items) ? items : [items];
    }
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    this.fail(name, `must be a list of ${itemName}`, v);
    return [];
  }

  stringList(name: string, itemName: string): string[] {
    return this.list(name, itemName).flatMap((item) => {
      if (typeof item === 'string' && item.trim() !== '') return [item.trim()];
      this.fail(name, `items must be text`, item);
      return [];
    });
  }

  /** Records a problem found by the task's own checks. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws DW_SETTINGS_INVALID listing every problem and every unknown setting. */
  done(): void {
    const unknown = Object.keys(this.raw).filter((k) => !this.used.has(k));
    for (const k of unknown) this.problems.push(`"${k}" is not a setting of ${this.taskType}`);
    if (this.problems.length > 0) {
      throw new DropwiseError('DW_SETTINGS_INVALID', `Invalid settings for ${this.taskType}: ${this.problems.join('; ')}`, {
        hint: 'See the task\'s settings in the README and correct the task request or the task in the config',
      });
    }
  }
}

/** Drops the extension and any path of an input file name: `payments.xml` → `payments`. */
export function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
