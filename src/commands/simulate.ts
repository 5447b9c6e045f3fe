// dropwise simulate: runs the ConnectWise + Traede sandbox until Ctrl-C, and prints how to reach it.
import type { Command } from 'commander';
import type * as Commander from 'commander';
import { requireCommonJs } from '../commonjs.js';
import type { Sandbox } from '../simulator/index.js';
import { sandboxConnections } from './embedded-sandbox.js';

const { InvalidArgumentError } = requireCommonJs<typeof Commander>('commander');

interface SimulateOptions {
  port: number;
  seed: number;
  invoices?: number;
  latency: number;
  rateLimit: number;
  host: string;
  tls?: boolean;
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return n;
  };
}

/** Why a listen failed, for the errors a person can fix with --port or --host (anything else is a bug). */
const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use',
  EACCES: 'this user may not listen on that port',
  EADDRNOTAVAIL: 'the address is not one of this machine',
};

export function register(program: Command): void {
  program
    .command('simulate')
    .description('start the ConnectWise PSA + Traede sandbox server (made-up data) and print its URLs and credentials')
    .option('--port <n>', 'port to listen on (0 picks a free one)', integer(0), 0)
    .option('--host <address>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--seed <n>', 'seed for the generated data (same seed, same data)', integer(0), 1)
    .option('--invoices <n>', 'number of invoices to generate (default 250)', integer(0))
    .option('--latency <ms>', 'delay added before every API response', integer(0), 0)
    .option('--rate-limit <n>', 'ConnectWise requests a minute before it answers 429 with Retry-After, as a throttled tenant (0 = no cap)', integer(0), 0)
    .option('--tls', 'serve HTTPS with a generated self-signed certificate (its file is printed, for NODE_EXTRA_CA_CERTS)')
    .addHelpText(
      'after',
      `
The sandbox speaks ConnectWise under /v4_6_release/apis/3.0 and Traede under /v10, and has a
control API under /_sandbox (reset, modify records, request counts, fault injection).
It is as strict as ConnectWise: an unknown field in conditions, orderBy or fields is a 400.
Pin a model with Accept: application/vnd.connectwise.com+json; version=2022.1 (or 2025.1).
It runs until Ctrl-C (SIGINT) or SIGTERM.

Examples:
  dropwise simulate --port 8088 --seed 7 --invoices 5000
  dropwise simulate --port 8443 --tls

Pointing clients at it (credentials: companyId sandbox, publicKey sandbox-public-key,
privateKey sandbox-private-key, clientId as printed):
  connectwise-rest (always https://, so use --tls; NODE_EXTRA_CA_CERTS=<printed file> node app.js)
    new ManageAPI({ companyId: 'sandbox', companyUrl: '127.0.0.1:8443', entryPoint: 'v4_6_release',
      publicKey: 'sandbox-public-key', privateKey: 'sandbox-private-key', clientId: '<clientId>' })
  curl
    curl -u 'sandbox+sandbox-public-key:sandbox-private-key' -H 'clientId: <clientId>' \
      'http://127.0.0.1:8088/v4_6_release/apis/3.0/finance/invoices?conditions=total%3E100&pageSize=5'
    (with --tls add: --cacert <printed file>)
  PowerShell ConnectWiseManageAPI (with --tls, trust the printed certificate first)
    Connect-CWM -Server '127.0.0.1:8443' -Company 'sandbox' -PubKey 'sandbox-public-key' \
      -PrivateKey 'sandbox-private-key' -ClientID '<clientId>'
    (it finds the codebase at /login/companyinfo/sandbox, as with a real server)`,
    )
    .action(async (options: SimulateOptions) => {
      // Imported here, not at the top: `dropwise --help` should not load the whole sandbox.
      const { startSandbox } = await import('../simulator/index.js');
      let sandbox: Sandbox;
      try {
        sandbox = await startSandbox({
          host: options.host,
          port: options.port,
          seed: options.seed,
          latencyMs: options.latency,
          rateLimit: options.rateLimit,
          tls: options.tls === true,
          size: options.invoices === undefined ? {} : { invoices: options.invoices },
        });
      } catch (err) {
        const why = LISTEN_PROBLEMS[(err as NodeJS.ErrnoException).code ?? ''];
        if (why === undefined) throw err;
        console.error(`dropwise: the sandbox cannot listen on ${options.host}:${options.port}: ${why}; choose another with --port (0 picks a free one) or --host`);
        process.exitCode = 2;
        return;
      }
      printBanner(sandbox, options);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await sandbox.close();
      console.log('Sandbox stopped.');
    });
}

export function printBanner(sandbox: Sandbox, options: { seed: number }): void {
  const cw = sandbox.connectwise;
  const basic = Buffer.from(`${cw.companyId}+${cw.publicKey}:${cw.privateKey}`).toString('base64');
  const connections = { connections: sandboxConnections(sandbox) };
  const file = sandbox.certificate?.file;
  const cacert = file ? ` --cacert ${file}` : '';
  const certificate = file
    ? `
Certificate  ${file}   (self-signed; trust it, e.g. NODE_EXTRA_CA_CERTS=${file} for Node clients and dropwise)
`
    : '';
  console.log(`dropwise sandbox running at ${sandbox.url} (seed ${options.seed}; made-up data)

ConnectWise  ${cw.url}
  companyId  ${cw.companyId}
  publicKey  ${cw.publicKey}
  privateKey ${cw.privateKey}
  clientId   ${cw.clientId}

Traede       ${sandbox.traede.url}/v10
  token      ${sandbox.traede.token}
  appKey     ${sandbox.traede.appKey}

Control      ${sandbox.url}/_sandbox   (no auth; e.g. curl${cacert} ${sandbox.url}/_sandbox/requests)
${certificate}
Try it:
  curl${cacert} -H "Authorization: Basic ${basic}" -H "clientId: ${cw.clientId}" "${cw.url}/finance/invoices?pageSize=2"
  curl${cacert} -H "Authorization: Bearer ${sandbox.traede.token}" -H "X-Traede-App-Key: ${sandbox.traede.appKey}" "${sandbox.traede.url}/v10/invoices/export?system_id=demo"

Config block for dropwise (paste into your config file):
${JSON.stringify(connections, null, 2)}

Press Ctrl-C to stop.`);
}
