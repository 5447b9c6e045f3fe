// The dashboard page: a small hash router over the agent's /api/dashboard routes. Every value from
// the agent is put in the page as text (never as HTML). Changes are POSTs with the CSRF header, each
// confirmed first; the answer is shown in words.
const main = document.getElementById('main');
const notice = document.getElementById('notice');
let csrf;
let refreshTimer;

/** h('a', {href}, 'text', child…): an element with attributes and text or element children. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: 'same-origin', ...options });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new HttpError(res.status, body.error?.code ?? 'error', body.error?.message ?? `The agent answered ${res.status}`);
  return body;
}

async function post(path) {
  csrf ??= (await api('/api/session')).csrfToken;
  return api(path, { method: 'POST', headers: { 'x-dropwise-csrf': csrf } });
}

function say(text, ok) {
  notice.hidden = false;
  notice.className = `notice ${ok ? 'ok' : 'bad'}`;
  notice.textContent = `${ok ? '✓ Done: ' : '✗ Not done: '}${text}`;
}

function confirmAction(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.showModal();
  document.getElementById('confirm-ok').focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

/** A button that asks first, then POSTs, says what came of it and redraws the page. */
function actionButton(label, question, path, attrs = {}) {
  return h('button', {
    type: 'button',
    ...attrs,
    onclick: async (event) => {
      const button = event.currentTarget;
      if (!(await confirmAction(question))) return;
      button.disabled = true;
      try {
        const result = await post(path);
        say(result.message ?? label, true);
      } catch (err) {
        say(err.message, false);
      } finally {
        button.disabled = false;
      }
      await route();
    },
  }, label);
}

const RESULT_WORDS = {
  success: ['✓ Success', 'ok'], partial: ['◐ Partial', 'warn'], failed: ['✗ Failed', 'bad'],
  empty: ['○ Nothing to do', 'info'], running: ['▶ Running', 'info'], interrupted: ['‖ Interrupted', 'warn'],
};
const badge = (result) => {
  const [words, tone] = RESULT_WORDS[result] ?? [result, 'info'];
  return h('span', { class: `badge ${tone}` }, words);
};
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const duration = (run) => (run.endedAt ? `${((new Date(run.endedAt) - new Date(run.startedAt)) / 1000).toFixed(1)} s` : '—');
const fileLink = (ref, label, download) => h('a', { href: `/api/dashboard/file?file=${encodeURIComponent(ref)}${download ? '&download=1' : ''}`, ...(download ? { download: '' } : { target: '_blank', rel: 'noopener' }) }, label);
const table = (head, rows, attrs = {}) =>
  h('div', { class: 'table-wrap' }, h('table', attrs, h('thead', {}, h('tr', {}, head.map(([t, cls]) => h('th', { class: cls, scope: 'col' }, t)))), h('tbody', {}, rows)));

function show(title, ...content) {
  document.title = `${title} · dropwise`;
  main.replaceChildren(h('h1', {}, title), ...content);
}

function pager(total, offset, limit, go) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return h('div', { class: 'pager' },
    h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => go(Math.max(0, offset - limit)) }, '← Newer'),
    h('span', {}, `${from}–${to} of ${total}`),
    h('button', { type: 'button', class: 'secondary', disabled: to >= total, onclick: () => go(offset + limit) }, 'Older →'));
}

function setHash(page, params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== undefined && v !== null && v !== 0 && v !== '0'));
  location.hash = `#/${page}${q.toString() ? `?${q}` : ''}`;
}

// ---- Overview -----------------------------------------------------------------------------------

async function overviewPage() {
  const o = await api('/api/dashboard/overview');
  const health = o.health.ready
    ? h('p', {}, h('span', { class: 'badge ok' }, '✓ Healthy'), ' Every check passes.')
    : h('p', {}, h('span', { class: 'badge bad' }, '✗ Not ready'), ` ${o.health.failed.length} check(s) fail.`);
  const checks = h('ul', { class: 'plain' }, o.health.checks.map((c) => h('li', {}, h('span', { class: `badge ${c.ok ? 'ok' : 'bad'}` }, c.ok ? '✓ ok' : '✗ failing'), ` ${c.name}: `, h('span', { class: 'muted' }, c.message))));
  const intake = h('div', { class: 'card' }, h('h2', {}, 'Intake'),
    h('p', { class: 'state-line' }, o.stopping ? h('span', { class: 'badge warn' }, '■ Stopping') : o.paused ? h('span', { class: 'badge warn' }, '‖ Paused') : h('span', { class: 'badge ok' }, '▶ Running')),
    h('p', { class: 'muted' }, o.paused ? 'Files stay in the inbox until intake is resumed.' : 'New files in the inbox are taken as they arrive.'),
    o.paused
      ? actionButton('Resume intake', 'Resume intake? Files waiting in the inbox will be processed.', '/api/resume', { id: 'resume' })
      : actionButton('Pause intake', 'Pause intake? Files dropped in the inbox will wait there; runs under way finish.', '/api/pause', { id: 'pause', class: 'danger' }));
  const inbox = h('div', { class: 'card' }, h('h2', {}, 'Inbox'),
    h('p', {}, h('span', { class: 'big', id: 'waiting' }, String(o.waiting)), ' waiting · ', h('span', { class: 'big' }, String(o.inFlight.length)), ' in flight'),
    o.inFlight.length ? h('ul', { class: 'plain' }, o.inFlight.map((f) => h('li', {}, `${f.name} (since ${when(f.claimedAt)})`))) : h('p', { class: 'muted' }, 'Nothing is being processed.'),
    o.running.length ? h('ul', { class: 'plain' }, o.running.map((r) => h('li', {}, `▶ ${r.label}: ${r.progress ? `${r.progress.records}${r.progress.total ? ` of ${r.progress.total}` : ''} records` : 'starting'}`))) : '');
  const t = o.today;
  const today = h('div', { class: 'card' }, h('h2', {}, 'Today'),
    h('ul', { class: 'plain' }, h('li', {}, `${t.runs} run(s), ${t.files} from files`), h('li', {}, h('span', { class: 'badge ok' }, `✓ ${t.recordsOk} records ok`)),
      h('li', {}, h('span', { class: t.recordsFailed ? 'badge bad' : 'badge ok' }, `${t.recordsFailed ? '✗' : '✓'} ${t.recordsFailed} records failed`)), h('li', {}, `${t.failedRuns} run(s) failed`)));
  const outage = h('div', { class: 'card' }, h('h2', {}, 'Outage'),
    o.outages.length ? h('ul', { class: 'plain' }, o.outages.map((x) => h('li', {}, h('span', { class: 'badge bad' }, '✗ Outage'), ` ${x.connection}: ${x.message}`))) : h('p', {}, h('span', { class: 'badge ok' }, '✓ None'), ' Every connection answers (or has not been called yet).'));
  const schedules = o.tasks.length
    ? table([['Task'], ['Schedule', 'optional'], ['Next run'], ['Last result']], o.tasks.map((name) => {
        const s = o.schedules.find((x) => x.task === name);
        return h('tr', {}, h('td', { class: 'wrap' }, h('div', {}, name), actionButton('Run now', `Run task ${name} now?`, `/api/dashboard/tasks/${encodeURIComponent(name)}/run`, { class: 'secondary', 'data-run-task': name })),
          h('td', { class: 'optional' }, s ? s.schedule : 'on request only'), h('td', {}, s ? when(s.nextRun) : '—'),
          h('td', {}, s?.last ? h('a', { href: `#/run/${s.last.id}` }, badge(s.last.result), ` ${when(s.last.startedAt)}`) : h('span', { class: 'muted' }, s ? 'not run yet' : '—')));
      }))
    : h('p', { class: 'muted' }, 'No tasks are configured.');
  const actions = o.actions.length
    ? h('ul', { class: 'plain' }, o.actions.map((a) => h('li', {}, `${when(a.at)} · ${a.who} · ${a.action}${a.target ? ` ${a.target}` : ''}: `, h('span', { class: 'muted' }, a.outcome))))
    : h('p', { class: 'muted' }, 'No actions yet.');
  show('Overview',
    h('div', { class: 'card' }, h('h2', {}, 'Health'), health, h('details', {}, h('summary', {}, 'The checks'), checks)),
    h('div', { class: 'grid' }, intake, inbox, today, outage),
    h('div', { class: 'card' }, h('h2', {}, 'Tasks and schedules'), schedules),
    h('div', { class: 'card' }, h('h2', {}, 'Recent actions'), actions),
    h('p', { class: 'muted' }, `Refreshes every 5 seconds · checked ${when(o.health.checkedAt)}`));
  refreshTimer = setTimeout(() => { if (!document.getElementById('confirm').open && currentPage() === 'overview') void route(); }, 5000);
}

// ---- Runs ---------------------------------------------------------------------------------------

async function runsPage(params) {
  const q = new URLSearchParams(params);
  const offset = Number(q.get('offset') ?? 0);
  const data = await api(`/api/dashboard/runs?${q}&limit=50`);
  const field = (name) => q.get(name) ?? '';
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); const f = new FormData(e.target); setHash('runs', Object.fromEntries(f)); } },
    h('label', {}, 'Task', h('input', { name: 'task', value: field('task'), list: 'task-names', placeholder: 'name or type' })),
    h('datalist', { id: 'task-names' }, data.tasks.map((t) => h('option', { value: t }))),
    h('label', {}, 'Status', h('select', { name: 'status' }, h('option', { value: '' }, 'any'), Object.entries(RESULT_WORDS).map(([v, [w]]) => h('option', { value: v, selected: field('status') === v }, w)))),
    h('label', {}, 'From', h('input', { type: 'date', name: 'from', value: field('from') })),
    h('label', {}, 'To', h('input', { type: 'date', name: 'to', value: field('to') })),
    h('label', {}, 'File name', h('input', { name: 'file', value: field('file'), placeholder: 'part of the name' })),
    h('button', { type: 'submit' }, 'Filter'),
    h('button', { type: 'button', class: 'secondary', onclick: () => setHash('runs', {}) }, 'Clear'));
  // Agents sharing a state (PostgreSQL) record which one made each run.
  const byAgent = data.runs.some((r) => r.agent !== undefined);
  const rows = data.runs.map((r) => h('tr', {},
    h('td', {}, h('a', { href: `#/run/${r.id}` }, when(r.startedAt))),
    byAgent && h('td', {}, r.agent ?? '—'),
    h('td', { class: 'wrap' }, r.taskName ?? r.task), h('td', { class: 'wrap' }, r.file ?? '—'), h('td', { class: 'optional' }, r.trigger),
    h('td', {}, badge(r.result)), h('td', { class: 'num' }, String(r.recordsOk)), h('td', { class: 'num' }, String(r.recordsFailed)), h('td', { class: 'num optional' }, duration(r))));
  show('Runs', form,
    data.total === 0 ? h('p', {}, 'No run matches.') : table([['Started'], ...(byAgent ? [['Agent']] : []), ['Task'], ['File'], ['Trigger', 'optional'], ['Result'], ['OK', 'num'], ['Failed', 'num'], ['Took', 'num optional']], rows, { id: 'runs' }),
    pager(data.total, offset, 50, (o) => setHash('runs', { ...Object.fromEntries(q), offset: o })));
}

async function runPage(id) {
  const d = await api(`/api/dashboard/runs/${encodeURIComponent(id)}`);
  const r = d.run;
  const facts = h('dl', { class: 'facts' },
    [['Result', badge(r.result)], ['Task', r.taskName ? `${r.taskName} (${r.task})` : r.task], ['File', r.file ?? '—'], ['Trigger', r.trigger], ['Connection', r.connection ?? '—'],
      ...(r.agent !== undefined ? [['Agent', r.agent]] : []), ['Started', when(r.startedAt)], ['Ended', when(r.endedAt)], ['Took', duration(r)], ['Records', `${r.recordsIn} in · ${r.recordsOk} ok · ${r.recordsFailed} failed`], ['Run id', r.id]]
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const error = d.error
    ? h('div', { class: 'error-box' }, h('p', {}, h('span', { class: 'code' }, `✗ ${d.error.code}`), d.error.meaning ? ` — ${d.error.meaning}` : ''), h('p', {}, d.error.message),
        d.error.whatToDo ? h('p', {}, h('strong', {}, 'What to do: '), d.error.whatToDo) : '')
    : '';
  const actions = h('div', { class: 'actions' },
    d.canRetryRecords ? actionButton(`Retry the ${d.failedRecords} failed record(s)`, `Put the ${d.failedRecords} failed record(s) of this run into a new file in the inbox? Records that succeeded are not sent again.`, `/api/dashboard/runs/${encodeURIComponent(r.id)}/retry-records`, { id: 'retry-records' }) : '',
    d.failedOriginal ? actionButton('Retry the file', `Put ${d.failedOriginal.slice(5)} back into the inbox to be processed again?`, `/api/dashboard/retry-file?file=${encodeURIComponent(d.failedOriginal)}`, { id: 'retry-file' }) : '',
    d.failedRecords ? h('a', { href: `#/failed?run=${encodeURIComponent(r.id)}` }, `See the ${d.failedRecords} failed record(s)`) : '');
  const outputs = d.outputs.length
    ? h('ul', { class: 'plain' }, d.outputs.map((o) => h('li', {}, o.name, ' ', o.ref ? h('span', {}, '(', fileLink(o.ref, 'view'), ' · ', fileLink(o.ref, 'download', true), ')') : h('span', { class: 'muted' }, '(outside the outbox)'))))
    : h('p', { class: 'muted' }, 'No output files.');
  const log = d.log.lines.length
    ? table([['Time'], ['Level'], ['Message']], d.log.lines.map((l) => h('tr', {}, h('td', {}, when(l.timestamp)), h('td', {}, l.level), h('td', { class: 'wrap' }, l.message))))
    : h('p', { class: 'muted' }, 'No log lines for this run.');
  show(`Run of ${r.taskName ?? r.file ?? r.task}`, error, actions,
    h('div', { class: 'two' }, h('div', { class: 'card' }, h('h2', {}, 'Facts'), facts),
      h('div', { class: 'card' }, h('h2', {}, 'Settings used'), h('p', { class: 'muted' }, `From ${d.settingsSource}`), d.settings ? h('pre', {}, JSON.stringify(d.settings, null, 2)) : '')),
    h('div', { class: 'card' }, h('h2', {}, 'Outputs'), outputs),
    h('div', { class: 'card' }, h('h2', {}, 'Log'), d.log.note ? h('p', { class: 'muted' }, d.log.note) : '', log));
}

// ---- Failed records -----------------------------------------------------------------------------

async function failedPage(params) {
  const q = new URLSearchParams(params);
  const offset = Number(q.get('offset') ?? 0);
  const [data, files] = await Promise.all([api(`/api/dashboard/failures?${q}&limit=50`), api('/api/dashboard/failed-files')]);
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); setHash('failed', { ...Object.fromEntries(new FormData(e.target)), run: q.get('run') ?? '' }); } },
    h('label', {}, 'Search (invoice id, externalId, message…)', h('input', { name: 'text', type: 'search', value: q.get('text') ?? '', size: 30 })),
    h('label', {}, 'Error code', h('input', { name: 'code', value: q.get('code') ?? '', placeholder: 'DW_…', size: 18 })),
    h('button', { type: 'submit' }, 'Search'),
    h('button', { type: 'button', class: 'secondary', onclick: () => setHash('failed', {}) }, 'Clear'));
  const rows = data.records.map((r) => {
    const e = r.errors[0] ?? {};
    return h('tr', {},
      h('td', {}, h('a', { href: `#/record/${r.id}` }, `Record ${r.index + 1}`)),
      h('td', {}, r.invoiceId ?? '—'), h('td', { class: 'wrap' }, r.externalId ?? '—'),
      h('td', {}, h('span', { class: 'badge bad' }, `✗ ${e.code ?? '?'}`)), h('td', { class: 'wrap' }, e.message ?? '', r.errors.length > 1 ? h('span', { class: 'muted' }, ` (+${r.errors.length - 1} more)`) : ''),
      h('td', { class: 'optional' }, e.field ?? '—'), h('td', { class: 'num optional' }, e.httpStatus ?? '—'), h('td', { class: 'wrap optional' }, r.file ?? '—'), h('td', { class: 'optional' }, when(r.at)));
  });
  show('Failed records',
    q.get('run') ? h('p', {}, `Only run ${q.get('run')} · `, h('a', { href: '#/failed' }, 'all runs')) : '', form,
    data.total === 0 ? h('p', {}, 'No failed record matches.') : table([['Record'], ['Invoice'], ['externalId'], ['Code'], ['Message'], ['Field', 'optional'], ['HTTP', 'num optional'], ['File', 'optional'], ['When', 'optional']], rows, { id: 'failures' }),
    pager(data.total, offset, 50, (o) => setHash('failed', { ...Object.fromEntries(q), offset: o })),
    h('div', { class: 'card' }, h('h2', {}, 'Failed files (in outbox/fail)'),
      files.files.length
        ? h('ul', { class: 'plain' }, files.files.map((f) => h('li', {}, `${f.name} (failed ${when(f.failedAt)}) `, fileLink(f.ref, 'view'), ' · ', fileLink(`${f.ref}.error.xml`, 'why'), ' ',
            actionButton('Retry', `Put ${f.name} back into the inbox to be processed again?`, `/api/dashboard/retry-file?file=${encodeURIComponent(f.ref)}`, { class: 'secondary' }))))
        : h('p', { class: 'muted' }, 'No file failed as a whole.')));
}

async function recordPage(id) {
  const r = await api(`/api/dashboard/failures/${encodeURIComponent(id)}`);
  show(`Failed record ${r.index + 1} of ${r.file ?? 'a file'}`,
    h('p', {}, h('a', { href: `#/run/${r.runId}` }, 'The run'), r.failFileRef ? h('span', {}, ' · ', fileLink(r.failFileRef, 'the fail file')) : '',
      r.invoiceId ? ` · invoice ${r.invoiceId}` : '', r.externalId ? ` · externalId ${r.externalId}` : ''),
    h('div', { class: 'actions' }, actionButton('Retry the failed records of this run', 'Put every failed record of this run into a new file in the inbox?', `/api/dashboard/runs/${encodeURIComponent(r.runId)}/retry-records`)),
    h('div', { class: 'two' },
      h('div', { class: 'card' }, h('h2', {}, 'The record as it came in'), h('pre', { id: 'record-xml' }, r.record)),
      h('div', { class: 'card' }, h('h2', {}, 'Its errors'), r.errors.map((e) => h('div', { class: 'error-box' },
        h('p', {}, h('span', { class: 'code' }, `✗ ${e.code}`), e.httpStatus ? ` · HTTP ${e.httpStatus}` : '', e.field ? ` · field ${e.field}` : ''), h('p', {}, e.message))))));
}

// ---- Login and routing --------------------------------------------------------------------------

function loginPage() {
  const form = h('form', { class: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    const token = new FormData(e.target).get('token');
    try {
      await api('/api/dashboard/login', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      notice.hidden = true;
      await route();
    } catch (err) {
      say(err.status === 401 ? 'That is not the agent’s api.token.' : err.message, false);
    }
  } },
  h('p', {}, 'This agent needs its API token (api.token) when it is reached from another machine. It is exchanged for a session cookie and not kept by the page.'),
  h('label', {}, 'API token', h('input', { name: 'token', type: 'password', autocomplete: 'current-password', required: true })),
  h('p', {}, h('button', { type: 'submit' }, 'Log in')));
  show('Log in', form);
  form.querySelector('input').focus();
}

function currentPage() {
  return (location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] || 'overview');
}

async function updateAgentState() {
  const el = document.getElementById('agent-state');
  try {
    const s = await api('/api/status');
    el.replaceChildren(h('span', { class: 'badge ok' }, `● Agent running (v${s.version})`), s.paused ? h('span', { class: 'badge warn' }, '‖ Intake paused') : h('span', { class: 'badge ok' }, '▶ Intake running'));
  } catch (err) {
    el.replaceChildren(h('span', { class: 'badge bad' }, err.status ? '✗ Not logged in' : '✗ Agent not reachable'));
  }
}

let routing = Promise.resolve();

/** Draws the page of the current hash. One at a time, in order: a slow answer never paints over a newer page. */
function route() {
  routing = routing.then(drawPage, drawPage);
  return routing;
}

async function drawPage() {
  clearTimeout(refreshTimer);
  const [pathPart, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [page, id] = pathPart.split('/');
  const params = Object.fromEntries(new URLSearchParams(query));
  for (const a of document.querySelectorAll('[data-nav]')) {
    const active = a.dataset.nav === ({ run: 'runs', record: 'failed' }[page] ?? (page || 'overview'));
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    if (page === 'runs') await runsPage(params);
    else if (page === 'run' && id) await runPage(decodeURIComponent(id));
    else if (page === 'failed') await failedPage(params);
    else if (page === 'record' && id) await recordPage(decodeURIComponent(id));
    else await overviewPage();
  } catch (err) {
    if (err.status === 401) return loginPage();
    if (err instanceof HttpError) show('Not found', h('p', {}, `✗ ${err.message}`), h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
    else show('The agent cannot be reached', h('p', {}, '✗ The page could not reach the agent: it may have stopped. This page tries again in 5 seconds.'));
    if (!(err instanceof HttpError)) refreshTimer = setTimeout(() => void route(), 5000);
  }
  void updateAgentState();
}

window.addEventListener('hashchange', () => {
  notice.hidden = true;
  void route().then(() => main.focus({ preventScroll: true }));
});
void route();
