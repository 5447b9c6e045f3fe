// Test helper for the sandbox. Either `const sb = await useSandbox()` (close it yourself), or, at the
// top of a describe/file, `const sandbox = withSandbox()` and call `sandbox()` inside tests: it starts
// in beforeAll and closes in afterAll.
import { afterAll, beforeAll } from 'vitest';
import { connectWiseHeaders, startSandbox, traedeHeaders, type Sandbox, type SandboxOptions } from '../../src/simulator/index.js';

export type { Sandbox, SandboxOptions };
export { connectWiseHeaders, traedeHeaders };

export function useSandbox(opts?: SandboxOptions): Promise<Sandbox> {
  return startSandbox(opts);
}

export function withSandbox(opts?: SandboxOptions): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(opts);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return () => {
    if (!sandbox) throw new Error('withSandbox(): the sandbox starts in beforeAll; use it inside tests');
    return sandbox;
  };
}

/** Calls the sandbox's ConnectWise API directly, expecting a 200: to compare dropwise's output with the API's own answer. */
export async function connectWiseCall<T>(sb: Sandbox, method: 'GET' | 'POST', resource: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sb.connectwise.url}${resource}`, {
    method,
    headers: { ...connectWiseHeaders(sb), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${method} ${resource} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}
