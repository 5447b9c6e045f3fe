// Builds dist/ once before the suite when it is missing or older than src/: the CLI tests spawn the
// real `node dist/cli.js`. The dashboard's page files are copied as `npm run build` copies them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(ts|html|js|css)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  if (built > newestSource(path.join(root, 'src'))) return;
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    // Type errors still emit JavaScript; only a missing CLI stops the suite.
    if (!fs.existsSync(cli)) throw new Error(`Building dist/ failed:\n${String((err as { stdout?: Buffer }).stdout ?? err)}`);
  }
  fs.cpSync(path.join(root, 'src', 'api', 'dashboard', 'assets'), path.join(root, 'dist', 'api', 'dashboard', 'assets'), { recursive: true });
  // tsc leaves an unchanged file's mtime alone; mark the build as fresh.
  const now = new Date();
  fs.utimesSync(cli, now, now);
}
