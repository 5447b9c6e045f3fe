// The CLI's client of the running agent: the token goes only to this config's own api.host, whatever
// host work/agent.json names (anyone who can write the work folder could name theirs).
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAgentFile } from '../../src/api/agent-file.js';
import { AgentApiClient } from '../../src/api/client.js';
import { makeTempDir } from '../support/workspace.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('AgentApiClient.connect', () => {
  it('calls the port agent.json names on the config api.host (a wildcard bind on loopback), never the host the file names', async () => {
    const seen: { host?: string; authorization?: string }[] = [];
    server = http.createServer((req, res) => {
      seen.push({ ...(req.headers.host ? { host: req.headers.host } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const work = await makeTempDir();
    // A forged file: this process's pid (so it reads as running), another host.
    await writeAgentFile(work, { pid: process.pid, hostname: os.hostname(), version: '0.1.0', startedAt: new Date().toISOString(), api: `http://attacker.invalid:${port}` });
    const config = { folders: { work } as never, api: { enabled: true, host: '0.0.0.0', port: 8470, token: 'env:DW_TEST_TOKEN', stuckAfterMs: 1 } as never, source: { file: undefined, baseDir: work } };
    const client = await AgentApiClient.connect(config, { DW_TEST_TOKEN: 'the-token' });
    expect(await client.get('/api/status')).toEqual({ ok: true });
    expect(seen).toEqual([{ host: `127.0.0.1:${port}`, authorization: 'Bearer the-token' }]);
  });
});
