// The dashboard's routes on a real API server over real folders: the login that exchanges the token
// for a session cookie, CSRF on every change, files shown only from the outbox and archive (tampered
// paths refused), retrying a failed file once and only once, unknown ids, and the record of actions.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiServer } from '../../../src/api/server.js';
import { silentLogger } from '../../../src/log.js';
import { call } from '../../support/http-call.js';
import { createTestAgent, makeTempDir, type TestAgent } from '../../support/workspace.js';

const TOKEN = 'dashboard-test-token-0123456789abcdef';
let harness: TestAgent | undefined;
let api: ApiServer | undefined;
afterEach(async () => {
  await api?.close();
  await harness?.runtime.close();
  api = undefined;
  harness = undefined;
});

/** An API with the dashboard over an agent that is not started: files dropped in the inbox stay there. */
async function start(apiConfig: Record<string, unknown> = {}): Promise<{ h: TestAgent; url: string }> {
  const dir = await makeTempDir();
  harness = createTestAgent(dir, { config: { api: { port: 0, ...apiConfig } } });
  for (const folder of ['inbox', 'outbox/fail', 'outbox/success', 'archive', 'work']) await fs.mkdir(path.join(dir, folder), { recursive: true });
  api = await ApiServer.start({ config: harness.config, agent: harness.agent, log: silentLogger(), dashboard: { store: harness.runtime.store, registry: harness.runtime.registry } });
  return { h: harness, url: api.url };
}

async function csrf(url: string, headers: Record<string, string> = {}): Promise<string> {
  return (await call(`${url}/api/session`, { headers })).json<{ csrfToken: string }>().csrfToken;
}

describe('the dashboard routes', () => {
  it('serves the page without a build step, and with a token only after a login that sets an HttpOnly SameSite=Strict cookie', async () => {
    const { url } = await start({ token: TOKEN });
    const page = await call(`${url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script type="module" src="/ui/app.js">');
    expect((await call(`${url}/ui/app.js`)).headers['content-type']).toContain('text/javascript');
    expect((await call(`${url}/`)).headers.location).toBe('/ui/');
    expect((await call(`${url}/api/dashboard/overview`)).status).toBe(401);

    expect((await call(`${url}/api/dashboard/login`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const login = await call(`${url}/api/dashboard/login`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(login.status).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^dropwise_session=[\w-]{20,}; HttpOnly; SameSite=Strict; Path=\//);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = { cookie: setCookie.split(';')[0] as string };

    const overview = await call(`${url}/api/dashboard/overview`, { headers: cookie });
    expect(overview.status).toBe(200);
    expect(overview.json()).toMatchObject({ paused: false, stopping: false, waiting: 0, health: { checks: expect.any(Array) as unknown } });
    // A cookie alone cannot log in again, nor change anything without the CSRF header.
    expect((await call(`${url}/api/dashboard/login`, { method: 'POST', headers: cookie })).status).toBe(401);
    expect((await call(`${url}/api/pause`, { method: 'POST', headers: cookie })).status).toBe(403);
    const paused = await call(`${url}/api/pause`, { method: 'POST', headers: { ...cookie, 'x-dropwise-csrf': await csrf(url, cookie) } });
    expect(paused.status).toBe(200);
    const actions = (await call(`${url}/api/dashboard/overview`, { headers: cookie })).json<{ actions: { who: string; action: string }[] }>().actions;
    expect(actions[0]).toMatchObject({ who: 'api.token', action: 'pause' });

    const logout = await call(`${url}/api/dashboard/logout`, { method: 'POST', headers: { ...cookie, 'x-dropwise-csrf': await csrf(url, cookie) } });
    expect(String(logout.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await call(`${url}/api/dashboard/overview`, { headers: cookie })).status).toBe(401);
  });

  it('shows only files of the outbox and the archive: tampered paths and links that lead out are refused', async () => {
    const { h, url } = await start();
    const { folders } = h.config;
    await fs.writeFile(path.join(folders.success, 'out.xml'), '<a/>');
    await fs.mkdir(path.join(folders.archive, '2026-01-05'));
    await fs.writeFile(path.join(folders.archive, '2026-01-05', 'in.xml'), '<b/>');
    await fs.writeFile(path.join(h.dir, 'secret.txt'), 'not for the page');
    await fs.symlink(path.join(h.dir, 'secret.txt'), path.join(folders.success, 'link.xml'));

    const view = await call(`${url}/api/dashboard/file?file=success/out.xml`);
    expect(view.status).toBe(200);
    expect(view.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(view.body).toBe('<a/>');
    const download = await call(`${url}/api/dashboard/file?file=archive/2026-01-05/in.xml&download=1`);
    expect(download.headers['content-disposition']).toBe('attachment; filename="in.xml"');
    for (const bad of ['../secret.txt', 'success/../../secret.txt', 'work/agent.json', 'state/runs.json', `success/${h.dir}/secret.txt`, 'success/a\\..\\b', 'success/', 'fail']) {
      const refused = await call(`${url}/api/dashboard/file?file=${encodeURIComponent(bad)}`);
      expect(refused.status, bad).toBe(400);
      expect(refused.body).not.toContain('not for the page');
    }
    const link = await call(`${url}/api/dashboard/file?file=success/link.xml`);
    expect(link.status).toBe(400);
    expect(link.json<{ error: { message: string } }>().error.message).toContain('leads outside its folder');
    expect((await call(`${url}/api/dashboard/file?file=success/none.xml`)).status).toBe(404);
    // An encoded slash arrives as part of one name, not as a step out of the folder.
    expect((await call(`${url}/api/dashboard/file?file=${encodeURIComponent('success/..%2F..%2Fsecret.txt')}`)).status).toBe(404);
  });

  it('retries a failed file once: back in the inbox whole, its error document gone; a second retry or a busy name is refused with the reason', async () => {
    const { h, url } = await start();
    const { folders } = h.config;
    await fs.writeFile(path.join(folders.fail, 'pay.xml'), '<InvoicePayments/>');
    await fs.writeFile(path.join(folders.fail, 'pay.xml.error.xml'), '<errors/>');
    const files = (await call(`${url}/api/dashboard/failed-files`)).json<{ files: { name: string; ref: string }[] }>().files;
    expect(files.map((f) => f.ref)).toEqual(['fail/pay.xml']);
    const headers = { 'x-dropwise-csrf': await csrf(url) };
    const retry = (file: string) => call(`${url}/api/dashboard/retry-file?file=${encodeURIComponent(file)}`, { method: 'POST', headers });

    expect((await retry('fail/pay.xml.error.xml')).status).toBe(400);
    expect((await retry('success/pay.xml')).status).toBe(400);
    expect((await retry('fail/../inbox/x.xml')).status).toBe(400);
    const done = await retry('fail/pay.xml');
    expect(done.status).toBe(200);
    expect(done.json()).toMatchObject({ ok: true, message: 'pay.xml is back in the inbox and will be processed again' });
    expect(await fs.readdir(folders.inbox)).toEqual(['pay.xml']);
    expect(await fs.readdir(folders.fail)).toEqual([]);
    const again = await retry('fail/pay.xml');
    expect(again.status).toBe(404);
    expect(again.json<{ error: { message: string } }>().error.message).toBe('fail/pay.xml is no longer there');

    // The same name failing again while the first retry still waits in the inbox: refused, nothing moved.
    await fs.writeFile(path.join(folders.fail, 'pay.xml'), '<InvoicePayments/>');
    const busy = await retry('fail/pay.xml');
    expect(busy.status).toBe(409);
    expect(busy.json<{ error: { message: string } }>().error.message).toBe('pay.xml is waiting in the inbox already');
    expect(await fs.readdir(folders.fail)).toEqual(['pay.xml']);
    expect((await fs.readdir(folders.inbox)).sort()).toEqual(['pay.xml']);

    const { actions } = (await call(`${url}/api/dashboard/overview`)).json<{ actions: { who: string; action: string; outcome: string }[] }>();
    expect(actions.map((a) => [a.who, a.action, a.outcome.startsWith('refused') ? 'refused' : 'done'])).toEqual([
      ['local', 'retry-file', 'refused'],
      ['local', 'retry-file', 'done'],
    ]);
  });

  it('answers unknown ids, unknown tasks and bad filters with a clear message and changes nothing', async () => {
    const { url } = await start();
    const headers = { 'x-dropwise-csrf': await csrf(url) };
    const run = await call(`${url}/api/dashboard/runs/no-such-run`);
    expect(run.status).toBe(404);
    expect(run.json<{ error: { message: string } }>().error.message).toContain('No run with id no-such-run');
    expect((await call(`${url}/api/dashboard/failures/nope`)).status).toBe(404);
    expect((await call(`${url}/api/dashboard/runs/nope/retry-records`, { method: 'POST', headers })).status).toBe(404);
    const task = await call(`${url}/api/dashboard/tasks/nope/run`, { method: 'POST', headers });
    expect(task.status).toBe(404);
    expect(task.json<{ error: { message: string } }>().error.message).toContain('No configured task is named "nope"');
    expect((await call(`${url}/api/dashboard/tasks/nope/run`, { method: 'POST' })).status).toBe(403);
    for (const q of ['status=exploded', 'from=05/01/2026', 'limit=100000', 'offset=-1']) expect((await call(`${url}/api/dashboard/runs?${q}`)).status, q).toBe(400);
    expect((await call(`${url}/api/dashboard/runs?status=failed&from=2026-01-01&to=2026-01-31&file=x`)).json()).toMatchObject({ runs: [], total: 0 });
  });
});
