// dropwise simulate: runs the ConnectWise + Traede sandbox until Ctrl-C, and prints how to reach it.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Sandbox } from '../simulator/index.js';
import { sandboxConnections } from './embedded-sandbox.js';

interface SimulateOptions {
  port: number;
  seed: number;
  invoices?: number;
  latency: number;
  host: string;
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('start the ConnectWise PSA + Traede sandbox server (made-up data) and print its URLs and credentials')
    .option('--port <n>', 'port to listen on (0 picks a free one)', integer(0), 0)
    .option('--host <address>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--seed <n>', 'seed for the generated data (same seed, same data)', integer(0), 1)
    .option('--invoices <n>', 'number of invoices to generate (default 250)', integer(0))
    .option('--latency <ms>', 'delay added before every API response', integer(0), 0)
    .addHelpText(
      'after',
      `
The sandbox speaks ConnectWise under /v4_6_release/apis/3.0 and Traede under /v10, and has a
control API under /_sandbox (reset, modify records, request counts, fault injection).
It runs until Ctrl-C (SIGINT) or SIGTERM.

Example:
  dropwise simulate --port 8088 --seed 7 --invoices 5000`,
    )
    .action(async (options: SimulateOptions) => {
      // Imported here, not at the top: `dropwise --help` should not load the whole sandbox.
      const { startSandbox } = await import('../simulator/index.js');
      const sandbox = await startSandbox({
        host: options.host,
        port: options.port,
        seed: options.seed,
        latencyMs: options.latency,
        size: options.invoices === undefined ? {} : { invoices: options.invoices },
      });
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
  console.log(`dropwise sandbox running at ${sandbox.url} (seed ${options.seed}; made-up data)

ConnectWise  ${cw.url}
  companyId  ${cw.companyId}
  publicKey  ${cw.publicKey}
  privateKey ${cw.privateKey}
  clientId   ${cw.clientId}

Traede       ${sandbox.traede.url}/v10
  token      ${sandbox.traede.token}
  appKey     ${sandbox.traede.appKey}

Control      ${sandbox.url}/_sandbox   (no auth; e.g. curl ${sandbox.url}/_sandbox/requests)

Try it:
  curl -H "Authorization: Basic ${basic}" -H "clientId: ${cw.clientId}" "${cw.url}/finance/invoices?pageSize=2"
  curl -H "Authorization: Bearer ${sandbox.traede.token}" -H "X-Traede-App-Key: ${sandbox.traede.appKey}" "${sandbox.traede.url}/v10/invoices/export?system_id=demo"

Config block for dropwise (paste into your config file):
${JSON.stringify(connections, null, 2)}

Press Ctrl-C to stop.`);
}
