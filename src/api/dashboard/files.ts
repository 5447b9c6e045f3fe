// The files the dashboard may show or hand back: only inside outbox/success, outbox/fail and the
// archive, named by a reference `<folder>/<path inside it>` (e.g. `fail/payments.xml`,
// `archive/2026-01-05/payments.xml`). Anything else — `..`, absolute paths, backslashes, a link that
// leads outside — is refused before the file system is touched for reading.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '../../agent/workspace.js';

export const FILE_FOLDERS = ['success', 'fail', 'archive'] as const;
export type FileFolder = (typeof FILE_FOLDERS)[number];

export interface FileRef {
  folder: FileFolder;
  /** The path inside the folder, with forward slashes. */
  rel: string;
  /** The absolute path, and the folder's. */
  path: string;
  root: string;
}

export type RefCheck = { ok: true; ref: FileRef } | { ok: false; message: string };

const rootOf = (ws: Workspace, folder: FileFolder): string => path.resolve(ws[folder]);

/** Checks a reference's form only (no file-system access). */
export function parseFileRef(ws: Workspace, value: string | null): RefCheck {
  if (value === null || value === '') return { ok: false, message: 'Name a file: ?file=<success|fail|archive>/<name>' };
  const [folder, ...rest] = value.split('/');
  if (!(FILE_FOLDERS as readonly string[]).includes(folder ?? '')) return { ok: false, message: `Only files of ${FILE_FOLDERS.join(', ')} can be shown (got "${value}")` };
  const segments = rest;
  const bad = segments.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0:]/.test(s));
  if (bad) return { ok: false, message: `"${value}" is not a plain file name inside ${String(folder)}: paths with "..", "\\" or empty parts are refused` };
  const root = rootOf(ws, folder as FileFolder);
  const full = path.resolve(root, ...segments);
  if (!full.startsWith(root + path.sep)) return { ok: false, message: `"${value}" points outside ${root}` };
  return { ok: true, ref: { folder: folder as FileFolder, rel: segments.join('/'), path: full, root } };
}

/** The reference of an absolute path, when it lies inside one of the folders. */
export function refOfPath(ws: Workspace, file: string): string | undefined {
  const full = path.resolve(file);
  for (const folder of FILE_FOLDERS) {
    const root = rootOf(ws, folder);
    if (full.startsWith(root + path.sep)) return `${folder}/${path.relative(root, full).split(path.sep).join('/')}`;
  }
  return undefined;
}

/**
 * The file of a reference, when it is a regular file whose real path (links followed) is still inside
 * its folder; else why not ('gone' when it does not exist).
 */
export async function existingFile(ref: FileRef): Promise<{ ok: true; size: number } | { ok: false; gone: boolean; message: string }> {
  try {
    const [real, realRoot] = await Promise.all([fs.realpath(ref.path), fs.realpath(ref.root)]);
    if (!real.startsWith(realRoot + path.sep)) return { ok: false, gone: false, message: `${ref.folder}/${ref.rel} leads outside its folder` };
    const stat = await fs.stat(real);
    if (!stat.isFile()) return { ok: false, gone: false, message: `${ref.folder}/${ref.rel} is not a file` };
    return { ok: true, size: stat.size };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, gone: true, message: `${ref.folder}/${ref.rel} is no longer there` };
    return { ok: false, gone: false, message: `${ref.folder}/${ref.rel} cannot be read: ${code ?? String(err)}` };
  }
}
