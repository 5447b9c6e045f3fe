// The folders the agent works in, derived from the config in one place.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/load.js';

export interface Workspace {
  inbox: string;
  success: string;
  fail: string;
  archive: string;
  work: string;
  /** Claimed files: work/processing/<id>__<name>. */
  processing: string;
  /** Outputs and staged files being written. */
  tmp: string;
  journal: string;
}

export function workspaceOf(folders: AppConfig['folders']): Workspace {
  return {
    inbox: folders.inbox,
    success: folders.success,
    fail: folders.fail,
    archive: folders.archive,
    work: folders.work,
    processing: path.join(folders.work, 'processing'),
    tmp: path.join(folders.work, 'tmp'),
    journal: path.join(folders.work, 'journal.log'),
  };
}

/** Creates every folder; the outbox and archive are created again when they are written to. */
export async function createFolders(ws: Workspace): Promise<void> {
  for (const dir of [ws.inbox, ws.processing, ws.tmp, ws.success, ws.fail, ws.archive]) await fs.mkdir(dir, { recursive: true });
}
