import { DropwiseError } from '../errors.js';
import { JsonDocument } from './json-document.js';
import type { WatermarkStore } from './store.js';
import { crashPoint } from '../crash-point.js';

export class JsonWatermarks implements WatermarkStore {
  private readonly doc: JsonDocument<{ watermarks: Record<string, Record<string, string>> }>;

  constructor(file: string) {
    this.doc = new JsonDocument<{ watermarks: Record<string, Record<string, string>> }>(file, { watermarks: {} });
  }

  async get(taskKey: string): Promise<Record<string, string>> {
    const data = await this.doc.data();
    return { ...(data.watermarks[taskKey] ?? {}) };
  }

  /** Written through at once: a watermark moves only after its output is safe, and must stay moved. */
  async set(taskKey: string, values: Record<string, string>): Promise<void> {
    const data = await this.doc.data();
    data.watermarks[taskKey] = { ...(data.watermarks[taskKey] ?? {}), ...values };
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
