// The request headers a client needs for this sandbox, for tests, benchmarks and the demo.

interface Credentials {
  connectwise: { companyId: string; publicKey: string; privateKey: string; clientId: string };
  traede: { token: string; appKey: string };
}

export function connectWiseHeaders(sandbox: Pick<Credentials, 'connectwise'>): Record<string, string> {
  const c = sandbox.connectwise;
  return {
    Authorization: `Basic ${Buffer.from(`${c.companyId}+${c.publicKey}:${c.privateKey}`).toString('base64')}`,
    clientId: c.clientId,
    Accept: 'application/vnd.connectwise.com+json; version=2022.1',
  };
}

export function traedeHeaders(sandbox: Pick<Credentials, 'traede'>): Record<string, string> {
  return { Authorization: `Bearer ${sandbox.traede.token}`, 'X-Traede-App-Key': sandbox.traede.appKey };
}
