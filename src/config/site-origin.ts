// A ConnectWise connection's `site` as an origin URL (checked when the config loads, used when the
// API base is found there at start): `eu.myconnectwise.net` → https://eu.myconnectwise.net. An
// `http://` site is allowed on loopback only, so tests can point a connection at the sandbox.
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Throws a plain Error saying what is wrong (the caller names the connection). */
export function siteOrigin(site: string): URL {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(site) ? site : `https://${site}`);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) throw new Error('may use http:// on this machine only (localhost); give the https site name');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('must be a host name such as eu.myconnectwise.net');
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') throw new Error('must be a host name such as eu.myconnectwise.net, without a path');
  return url;
}
