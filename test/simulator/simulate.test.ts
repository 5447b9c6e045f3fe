// The `dropwise simulate` verb: options and help, and the banner it prints.
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { printBanner, register } from '../../src/commands/simulate.js';
import { CONNECTWISE_BASE } from '../../src/simulator/index.js';
import { withSandbox } from '../support/sandbox.js';

describe('dropwise simulate', () => {
  const sandbox = withSandbox();

  it('registers with its options and help', () => {
    const program = new Command();
    register(program);
    const help = program.commands.find((c) => c.name() === 'simulate')?.helpInformation() ?? '';
    for (const option of ['--port', '--seed', '--invoices', '--latency', '--tls']) expect(help).toContain(option);
    // The help names the path without importing the sandbox (which --help must not load): it must stay true.
    let full = '';
    program.commands.find((c) => c.name() === 'simulate')?.configureOutput({ writeOut: (s) => (full += s) }).outputHelp();
    expect(full).toContain(`ConnectWise under ${CONNECTWISE_BASE} and Traede`);
    for (const client of ['connectwise-rest', 'NODE_EXTRA_CA_CERTS', 'curl -u', '--cacert', 'Connect-CWM', 'version=2022.1 (or 2025.1)']) expect(full).toContain(client);
  });

  it('prints the URLs, the credentials, a curl line and a connections block', () => {
    const sb = sandbox();
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      printBanner(sb, { seed: 1 });
      const text = log.mock.calls.map((c) => String(c[0])).join('\n');
      for (const part of [sb.url, sb.connectwise.url, sb.connectwise.privateKey, sb.connectwise.clientId, sb.traede.token, 'curl ', '"connections"']) expect(text).toContain(part);
      const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
      expect(JSON.parse(json)).toMatchObject({ connections: { sandbox: { type: 'connectwise', url: sb.connectwise.url } } });
    } finally {
      log.mockRestore();
    }
  });
});
