// Credential checks: ConnectWise Basic `companyId+publicKey:privateKey` plus the `clientId` header
// (API-NOTES §1); Traede `Authorization: Bearer` (or `?access_token=`) plus `X-Traede-App-Key`.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.js';

/** Fixed sandbox credentials: this is a local test server, never a place for real secrets. */
export const SANDBOX_CREDENTIALS = {
  companyId: 'sandbox',
  publicKey: 'sandbox-public-key',
  privateKey: 'sandbox-private-key',
  clientId: '00000000-0000-4000-8000-00000000d0e5',
  traedeToken: 'sandbox-traede-token',
  traedeAppKey: 'sandbox-traede-app-key',
} as const satisfies Record<string, string>;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function checkConnectWiseAuth(headers: IncomingHttpHeaders): void {
  const c = SANDBOX_CREDENTIALS;
  const authorization = header(headers, 'authorization') ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(authorization);
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  if (decoded !== `${c.companyId}+${c.publicKey}:${c.privateKey}`) {
    throw new ApiError(401, { code: 'ConnectWiseApi', message: 'UserNotAuthenticated' });
  }
  const clientId = header(headers, 'clientid');
  if (!clientId) {
    throw new ApiError(401, { code: 'ConnectWiseApi', message: 'clientId is required: send a clientId header with your integration GUID.' });
  }
  if (clientId !== c.clientId) {
    throw new ApiError(401, { code: 'ConnectWiseApi', message: 'clientId is not valid for this integration.' });
  }
}

export function checkTraedeAuth(headers: IncomingHttpHeaders, url: URL): void {
  const c = SANDBOX_CREDENTIALS;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '')?.[1] ?? url.searchParams.get('access_token');
  if (bearer !== c.traedeToken) {
    throw new ApiError(401, { status: 401, error: 'unauthorized', message: 'A valid access token is required (Authorization: Bearer <token>).' });
  }
  if (header(headers, 'x-traede-app-key') !== c.traedeAppKey) {
    throw new ApiError(401, { status: 401, error: 'unauthorized', message: 'A valid X-Traede-App-Key header is required.' });
  }
}
