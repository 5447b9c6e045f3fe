import { DropwiseError } from '../errors.js';
import { JsonDocument } from './json-document.js';
import type { WatermarkStore } from './store.js';
import { crashPoint } from '../crash-point.js';

/** A date with a time (what a watermark moves by): 2026-11-01T08:00:00Z, with fractions or an offset. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const instant = (value: string | undefined): number => (value !== undefined && INSTANT.test(value) ? Date.parse(value) : NaN);

/**
 * The watermarks after a set: each value moves forward only, so two runs of one task finishing out of
 * order (two agents) never move a date back. A value that is not an instant is stored as given, and so
 * is a `…Setting` value: it records which configured start the watermark began from (see
 * tasks/connectwise/export-watermarks.ts), and a setting changed back to an earlier date must read back as it is.
 */
export function advanceWatermarks(stored: Record<string, string>, values: Record<string, string>): Record<string, string> {
  const next = { ...stored };
  for (const [key, value] of Object.entries(values)) {
    const before = instant(stored[key]);
    if (!key.endsWith('Setting') && !Number.isNaN(before) && instant(value) < before) continue;
    next[key] = value;
  }
  return next;
}

export class JsonWatermarks implements WatermarkStore {
  private readonly doc: JsonDocument<{ watermarks: Record<string, Record<string, string>> }>;

  constructor(file: string) {
    this.doc = new JsonDocument<{ watermarks: Record<string, Record<string, string>> }>(file, { watermarks: {} });
  }

  async get(taskKey: string): Promise<Record<string, string>> {
    const data = await this.doc.data();
    return { ...(data.watermarks[taskKey] ?? {}) };
  }

  /** Written through at once, forward only: a watermark moves only after its output is safe, and must stay moved. */
  async set(taskKey: string, values: Record<string, string>): Promise<void> {
    const data = await this.doc.data();
    data.watermarks[taskKey] = advanceWatermarks(data.watermarks[taskKey] ?? {}, values);
    await this.doc.save();
    crashPoint('watermarks.set');
  }

  async all(): Promise<Record<string, Record<string, string>>> {
    const data = await this.doc.data();
    return structuredClone(data.watermarks);
  }

  /**
   * Reads the watermarks or refuses. Not set aside when damaged: every export would then start again
   * from its configured start, handing the systems that collect the outbox records they already took.
   */
  async check(): Promise<void> {
    try {
      await this.doc.data();
    } catch (err) {
      throw new DropwiseError('DW_STATE_READ', (err as Error).message, {
        hint: `Restore ${this.doc.file} from a backup, or repair its JSON by hand. Deleting it makes every export start again from its configured start (records already exported are exported again)`,
        cause: err,
      });
    }
  }

  flush(): Promise<void> {
    return this.doc.flush();
  }
}
