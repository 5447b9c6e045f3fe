// The folder checks of `dropwise doctor`: each folder exists (or can be made) and takes a file,
// inbox and work share one volume (a claim is a rename, atomic only within a volume), and the
// volume has room for the outputs.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../../config/load.js';
import type { Finding } from './findings.js';

/** Below this much free space a folder's volume is a warning; below the second, a failure. */
export const LOW_FREE_BYTES = 1024 ** 3;
export const TOO_LOW_FREE_BYTES = 100 * 1024 ** 2;

const mb = (bytes: number): string => `${Math.round(bytes / 1024 ** 2).toLocaleString('en')} MB`;

/** The nearest folder on the way up that exists (a missing folder is made there at start). */
async function existingAncestor(dir: string): Promise<string | undefined> {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (await fs.stat(d).then((s) => s.isDirectory(), () => false)) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

async function writable(dir: string): Promise<string | undefined> {
  const probe = path.join(dir, `.dropwise-doctor-${process.pid}`);
  try {
    await fs.writeFile(probe, 'doctor');
    await fs.unlink(probe);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

async function checkFolder(what: string, dir: string): Promise<{ findings: Finding[]; dev?: number }> {
  const subject = `folder ${what}`;
  const stat = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => err);
  if (stat instanceof Error) {
    if (stat.code !== 'ENOENT') return { findings: [{ subject, check: 'exists', status: 'fail', detail: `${dir}: ${stat.code ?? stat.message}`, fix: 'Give the service account access to the folder, or configure another one' }] };
    const parent = await existingAncestor(dir);
    const denied = parent === undefined ? 'no folder above it exists' : await writable(parent);
    return {
      findings: [
        denied === undefined
          ? { subject, check: 'exists', status: 'ok', detail: `${dir} does not exist yet; it is made at start` }
          : { subject, check: 'exists', status: 'fail', detail: `${dir} does not exist and cannot be made (${denied})`, fix: `Create ${dir}, or configure folders.${what} to a folder the service account can write` },
      ],
    };
  }
  if (!stat.isDirectory()) return { findings: [{ subject, check: 'exists', status: 'fail', detail: `${dir} is a file, not a folder`, fix: `Configure folders.${what} to a folder` }] };
  const findings: Finding[] = [];
  const denied = await writable(dir);
  findings.push(
    denied === undefined
      ? { subject, check: 'writable', status: 'ok', detail: dir }
      : { subject, check: 'writable', status: 'fail', detail: `${dir}: a file cannot be written there (${denied})`, fix: 'Give the account dropwise runs as write access to the folder' },
  );
  const space = await fs.statfs(dir).catch(() => undefined);
  if (space) {
    const free = space.bavail * space.bsize;
    const status = free < TOO_LOW_FREE_BYTES ? 'fail' : free < LOW_FREE_BYTES ? 'warn' : 'ok';
    findings.push({ subject, check: 'free space', status, detail: `${mb(free)} free`, ...(status === 'ok' ? {} : { fix: 'Free space on the volume or move the folder: exports and archives need room' }) });
  }
  return { findings, dev: stat.dev };
}

export async function checkFolders(folders: Partial<AppConfig['folders']> & Pick<AppConfig['folders'], 'inbox' | 'work'>): Promise<Finding[]> {
  const results = await Promise.all(Object.entries(folders).map(async ([what, dir]) => [what, await checkFolder(what, dir)] as const));
  const findings = results.flatMap(([, r]) => r.findings);
  const dev = Object.fromEntries(results.map(([what, r]) => [what, r.dev]));
  if (dev['inbox'] !== undefined && dev['work'] !== undefined) {
    findings.push(
      dev['inbox'] === dev['work']
        ? { subject: 'folders inbox, work', check: 'one volume', status: 'ok', detail: 'a claimed file is moved by rename' }
        : {
            subject: 'folders inbox, work',
            check: 'one volume',
            status: 'fail',
            detail: `${folders.inbox} and ${folders.work} are on different volumes, so a file cannot be claimed by an atomic rename`,
            fix: 'Put the work folder on the same disk or share as the inbox',
          },
    );
  }
  return findings;
}
