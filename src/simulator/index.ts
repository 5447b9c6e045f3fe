// The sandbox: ConnectWise PSA and Traede over real HTTP on loopback, with seeded data, a control
// API and fault injection. Self-contained: imports nothing from the rest of src/.
import { SANDBOX_CREDENTIALS } from './auth.js';
import { connectWiseRouter, CONNECTWISE_BASE } from './connectwise/index.js';
import { controlRouter, createControl, type SandboxControl } from './control.js';
import { listen, newServer, requestHandler } from './server.js';
import { SandboxState } from './state.js';
import { createCertificate } from './tls.js';
import { traedeRouter } from './traede/routes.js';
import type { SandboxOptions } from './types.js';

export { SANDBOX_CREDENTIALS, CONNECTWISE_BASE };
export { connectWiseHeaders, traedeHeaders } from './client-headers.js';
export type { SandboxControl };
export type { FaultKind, FaultSpec, RequestCounts, SandboxOptions, SandboxSize, TraedeMark } from './types.js';
export { DEFAULT_SIZE } from './types.js';
export type { QuirkSettings } from './quirks.js';
export type { LedgerKind } from './data/ledger.js';

export interface Sandbox {
  /** http://127.0.0.1:PORT, or https://… when started with `tls`. */
  url: string;
  /** With `tls`: the self-signed certificate's PEM and the file it was written to (for NODE_EXTRA_CA_CERTS). */
  certificate?: { pem: string; file: string };
  connectwise: { url: string; companyId: string; publicKey: string; privateKey: string; clientId: string };
  /** The client appends /v10/… to `url`. */
  traede: { url: string; token: string; appKey: string };
  control: SandboxControl;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ? await createCertificate(host, typeof options.tls === 'object' ? options.tls.certFile : undefined) : undefined;
  const server = newServer(tls);
  const port = await listen(server, host, options.port ?? 0).catch(async (error: unknown) => {
    await tls?.dispose();
    throw error;
  });
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // The data's hrefs need the URL, so state is built once the port is known; the handler is attached
  // in the same tick, before any connection can be served.
  const state = new SandboxState(`${url}${CONNECTWISE_BASE}`, options.seed ?? 1, options.size ?? {}, options.latencyMs ?? 0);
  if (options.rateLimit) state.rateLimit.set(options.rateLimit);
  const control = createControl(state);
  const routers = {
    connectwise: connectWiseRouter(),
    traede: traedeRouter(),
    control: controlRouter(control, () => ({ url, connectwise: `${url}${CONNECTWISE_BASE}`, traede: `${url}/v10` })),
  };
  server.on('request', requestHandler(state, routers));
  const c = SANDBOX_CREDENTIALS;
  return {
    url,
    connectwise: { url: `${url}${CONNECTWISE_BASE}`, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId },
    traede: { url, token: c.traedeToken, appKey: c.traedeAppKey },
    control,
    ...(tls ? { certificate: { pem: tls.cert, file: tls.file } } : {}),
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await tls?.dispose();
    },
  };
}
