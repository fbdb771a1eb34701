/**
 * `harbor-audit lsp --stdio` restarts itself with the server's node options
 * where Node can replace the running program (process.execve), keeping the
 * client's pipes: the unit cases run everywhere; the protocol case needs such
 * a Node (this one, or HARBOR_AUDIT_TEST_NODE_EXECVE=/path/to/node 22.15+).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { restartWithServerFlags, SERVER_NODE_FLAGS } from '../../server/src/lsp/nodeFlags';
import { TestLspClient } from '../helpers/lspClient';

function fakeProcess(overrides: { execArgv?: string[]; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; execve?: 'missing' | 'throws' } = {}) {
  const calls: { file: string; args: string[]; env: NodeJS.ProcessEnv }[] = [];
  const running = {
    execPath: '/usr/bin/node',
    execArgv: overrides.execArgv ?? [],
    argv: ['/usr/bin/node', '/opt/harbor-audit/dist/cli.js', 'lsp', '--stdio'],
    env: overrides.env ?? { PATH: '/usr/bin' },
    platform: overrides.platform ?? 'linux',
    ...(overrides.execve === 'missing'
      ? {}
      : {
          execve: (file: string, args: string[], env: NodeJS.ProcessEnv): never => {
            calls.push({ file, args, env });
            if (overrides.execve === 'throws') throw Object.assign(new Error('execve failed'), { code: 'EACCES' });
            // The real one never returns; the caller must not go on as if it had.
            throw new Error('replaced');
          },
        }),
  };
  return { process: running, calls };
}

describe('restartWithServerFlags', () => {
  it('starts the same command again with the flags, after the options node was given', () => {
    const { process, calls } = fakeProcess({ execArgv: ['--enable-source-maps'] });
    restartWithServerFlags(process);
    assert.deepEqual(calls, [
      {
        file: '/usr/bin/node',
        args: ['/usr/bin/node', '--enable-source-maps', ...SERVER_NODE_FLAGS, '/opt/harbor-audit/dist/cli.js', 'lsp', '--stdio'],
        env: { PATH: '/usr/bin' },
      },
    ]);
  });

  it('adds only the flags the user did not set, on the command line or in NODE_OPTIONS', () => {
    const fromArgv = fakeProcess({ execArgv: ['--max-semi-space-size=4'] });
    restartWithServerFlags(fromArgv.process);
    assert.deepEqual(fromArgv.calls[0].args.slice(1, 3), ['--max-semi-space-size=4', '--v8-pool-size=1']);
    const fromEnv = fakeProcess({ env: { NODE_OPTIONS: '--v8-pool-size=2  --max-old-space-size=512' } });
    restartWithServerFlags(fromEnv.process);
    assert.deepEqual(fromEnv.calls[0].args.slice(1, 2), ['--max-semi-space-size=1']);
    // Node reads underscores as dashes in option names, and NODE_OPTIONS may quote an option.
    for (const setup of [{ execArgv: ['--max_semi_space_size=8', '--v8_pool_size=3'] }, { env: { NODE_OPTIONS: '"--max-semi-space-size=8" --v8_pool_size=3' } }]) {
      const { process, calls } = fakeProcess(setup);
      restartWithServerFlags(process);
      assert.deepEqual(calls, [], JSON.stringify(setup));
    }
  });

  it('does nothing once the flags are there (the restarted process), without execve, or on Windows', () => {
    for (const setup of [{ execArgv: [...SERVER_NODE_FLAGS] }, { execve: 'missing' as const }, { platform: 'win32' as const }]) {
      const { process, calls } = fakeProcess(setup);
      restartWithServerFlags(process);
      assert.deepEqual(calls, [], JSON.stringify(setup));
    }
  });

  it('runs on with the defaults when the program cannot be replaced', () => {
    const { process, calls } = fakeProcess({ execve: 'throws' });
    assert.doesNotThrow(() => restartWithServerFlags(process));
    assert.equal(calls.length, 1);
  });
});

const nodeWithExecve = process.env.HARBOR_AUDIT_TEST_NODE_EXECVE ?? (typeof (process as { execve?: unknown }).execve === 'function' ? process.execPath : undefined);

// The case reads the server's command line from /proc (Linux).
const skipProtocol = !nodeWithExecve ? `node ${process.version} has no process.execve (22.15+); HARBOR_AUDIT_TEST_NODE_EXECVE=/path/to/node runs it` : !existsSync('/proc/self/cmdline') ? 'no /proc on this system' : false;

describe('harbor-audit lsp --stdio on a Node with process.execve', { skip: skipProtocol }, () => {
  it('runs as the same process with the flags and answers on the pipes it was started with', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-node-flags-'));
    const client = new TestLspClient({ workspace, pull: true, node: nodeWithExecve });
    try {
      await client.initialize();
      const commandLine = readFileSync(`/proc/${client.pid}/cmdline`, 'utf8').split('\0');
      for (const flag of SERVER_NODE_FLAGS) assert.ok(commandLine.includes(flag), commandLine.join(' '));
      const uri = client.open(join(workspace, 'values.yaml'), 'expose:\n  type: ingress\nexternalURL: https://harbor.example.com\nharborAdminPassword: Harbor12345\n');
      const diagnostics = await client.pull(uri);
      assert.ok(diagnostics.some((diagnostic) => diagnostic.code === 'default-admin-password'), JSON.stringify(diagnostics));
    } finally {
      await client.shutdown();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
