import { describe, expect, it } from 'vitest';
import { Router, json } from '../../src/api/router.js';

describe('Router', () => {
  const router = new Router()
    .get('/api/runs', () => json(200, []))
    .get('/api/runs/:id', ({ params }) => json(200, params))
    .post('/api/runs/:id/retry', () => json(202, {}));

  it('matches by method and path, with :name segments decoded', () => {
    const m = router.match('GET', '/api/runs/r%2042');
    expect(m && 'route' in m ? { path: m.route.path, params: m.params } : m).toEqual({ path: '/api/runs/:id', params: { id: 'r 42' } });
    const head = router.match('HEAD', '/api/runs');
    expect(head && 'route' in head ? head.route.method : head).toBe('GET');
  });

  it('tells a wrong method (405, with the allowed ones) from an unknown path (404)', () => {
    expect(router.match('GET', '/api/runs/1/retry')).toEqual({ allowed: ['POST'] });
    expect(router.match('GET', '/api/runs/1/other')).toBeUndefined();
    expect(router.match('GET', '/api/runs/')).toBeUndefined();
    expect(router.match('GET', '/api/runs/%E0%A4%A')).toBeUndefined();
  });

  it('refuses the same route twice', () => {
    expect(() => router.get('/api/runs', () => json(200, []))).toThrow('registered twice');
  });
});
