// The list exports' watermarks: which one each mode (New/Modified/All) filters on and advances, where
// a run starts from, and where it moves to once its output is safe.
import { isoSeconds } from '../../time/iso-8601.js';
import type { TaskWatermarks } from '../types.js';
import type { ExportMode, RecordExportSettings } from './record-export-settings.js';

const WATERMARK_FIELD = { dateCreated: '_info/dateEntered', dateModified: '_info/lastUpdated' } as const;
type WatermarkName = keyof typeof WATERMARK_FIELD;

/** Which watermark each mode filters on and which it may advance (All covers both). */
const MODE_WATERMARKS: Record<ExportMode, { filter?: WatermarkName; advance: WatermarkName[] }> = {
  New: { filter: 'dateCreated', advance: ['dateCreated'] },
  Modified: { filter: 'dateModified', advance: ['dateModified'] },
  All: { advance: ['dateCreated', 'dateModified'] },
};

/**
 * The next watermark is the time the export started, a little earlier: ConnectWise stamps whole
 * seconds and the server's Date header is truncated too, so a record changed in the second the
 * export began comes again next time (at-least-once) rather than never.
 */
export const WATERMARK_OVERLAP_MS = 1000;

/** The server's clock from a Date header, else ours: watermarks compare with server stamps. */
export function serverTime(dateHeader: string | string[] | undefined, fallback = Date.now()): number {
  const value = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
  const ms = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(ms) ? fallback : ms;
}

/**
 * The watermark a run starts from. A stored one wins, unless the setting was changed since that
 * watermark was stored: then the new setting is an explicit new starting point (a re-export).
 */
async function startingWatermark(watermarks: TaskWatermarks, name: WatermarkName, setting: string | undefined): Promise<string | undefined> {
  const stored = await watermarks.get();
  const current = stored[name];
  if (current === undefined || (setting !== undefined && stored[`${name}Setting`] !== setting)) return setting;
  return current;
}

/** Where a run of this mode starts: the watermark it filters from, and the condition that says so ('' for none). */
export async function watermarkStart(watermarks: TaskWatermarks, settings: RecordExportSettings): Promise<{ from: string | undefined; condition: string }> {
  const { filter } = MODE_WATERMARKS[settings.exportMode];
  const from = filter === undefined ? undefined : await startingWatermark(watermarks, filter, settings[filter]);
  return { from, condition: filter === undefined || from === undefined ? '' : `${WATERMARK_FIELD[filter]} > [${from}]` };
}

/**
 * Moves the mode's watermarks to just before `startedAt` (server time), remembering the settings they
 * started from; call only once the output is committed. Returns the new watermarks.
 */
export async function advanceWatermarks(watermarks: TaskWatermarks, settings: RecordExportSettings, startedAt: number): Promise<Record<string, string>> {
  const next = isoSeconds(startedAt - WATERMARK_OVERLAP_MS);
  const advanced: Record<string, string> = {};
  const stored: Record<string, string> = {};
  for (const name of MODE_WATERMARKS[settings.exportMode].advance) {
    advanced[name] = stored[name] = next;
    stored[`${name}Setting`] = settings[name] ?? '';
  }
  await watermarks.set(stored);
  return advanced;
}
