// The action log's contract, on both backends: who did what and when, newest first, across a reopen.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from './backends.js';

describe.each(BACKENDS)('action log ($name)', (backend) => {
  it('keeps actions across a reopen and gives the newest first', async () => {
    const state = await backend.fresh();
    const store = state.open();
    const first = await store.actions.add({ who: 'api.token', action: 'pause', outcome: 'paused' });
    expect(first).toEqual({ at: expect.any(String), who: 'api.token', action: 'pause', outcome: 'paused' });
    await store.actions.add({ who: 'local', action: 'retry-file', target: 'p.xml', outcome: 'moved back to the inbox' });
    await store.actions.add({ who: 'local', action: 'resume', outcome: 'taking files' });
    await store.close();
    const recent = await state.open().actions.recent(2);
    expect(recent.map((a) => a.action)).toEqual(['resume', 'retry-file']);
    expect(recent[1]).toMatchObject({ target: 'p.xml', outcome: 'moved back to the inbox' });
    expect((await state.open().actions.recent(10)).at(-1)).toEqual(first);
  });
});
