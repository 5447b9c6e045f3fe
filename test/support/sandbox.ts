// Test helper for the sandbox. Either `const sb = await useSandbox()` (close it yourself), or, at the
// top of a describe/file, `const sandbox = withSandbox()` and call `sandbox()` inside tests: it starts
// in beforeAll and closes in afterAll.
import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/simulator/index.js';

export type { Sandbox, SandboxOptions };
export { connectWiseHeaders, traedeHeaders } from '../../src/simulator/index.js';

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
