// A run's lines of the JSON-lines log (log.file): every line the run's child logger wrote carries
// `"run":"<id>"`, and for a dropped file the pipeline's lines about it carry `"file":"<name>"` (those
// written within a minute of the run's start and end count). Only the end of the file is read (a
// bounded scan), so a big log costs no more than that.
import type { RunRecord } from '../../state/store.js';
import fs from 'node:fs/promises';

/** How much of the log's end is read, and how many lines are returned at most. */
export const LOG_SCAN_BYTES = 8 * 1024 * 1024;
export const LOG_MAX_LINES = 500;

export interface LogLine {
  timestamp?: string;
  level: string;
  message: string;
}

const WINDOW_MS = 60_000;

export async function runLogLines(logFile: string, run: Pick<RunRecord, 'id' | 'file' | 'startedAt' | 'endedAt'>): Promise<{ lines: LogLine[]; note?: string }> {
  if (logFile === '') return { lines: [], note: 'No log file is configured (log.file is empty)' };
  let handle;
  try {
    handle = await fs.open(logFile, 'r');
  } catch (err) {
    return { lines: [], note: `The log file ${logFile} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - LOG_SCAN_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const needle = `"run":${JSON.stringify(run.id)}`;
    const fileNeedle = run.file === undefined ? undefined : `"file":${JSON.stringify(run.file)}`;
    const from = new Date(Date.parse(run.startedAt) - WINDOW_MS).toISOString();
    const to = new Date(Date.parse(run.endedAt ?? new Date().toISOString()) + WINDOW_MS).toISOString();
    const lines: LogLine[] = [];
    for (const text of buffer.toString('utf8').split('\n')) {
      const ours = text.includes(needle);
      if (!ours && (fileNeedle === undefined || !text.includes(fileNeedle))) continue;
      try {
        const entry = JSON.parse(text) as Record<string, unknown>;
        const at = typeof entry.timestamp === 'string' ? entry.timestamp : '';
        if (!ours && (at < from || at > to)) continue;
        lines.push({ level: String(entry.level ?? ''), message: String(entry.message ?? ''), ...(typeof entry.timestamp === 'string' ? { timestamp: entry.timestamp } : {}) });
      } catch {
        continue;
      }
    }
    const note = start > 0 ? `Only the last ${LOG_SCAN_BYTES / 1024 / 1024} MB of ${logFile} were searched` : undefined;
    return { lines: lines.slice(-LOG_MAX_LINES), ...(note ? { note } : {}) };
  } finally {
    await handle.close();
  }
}
