// Real-editor test #2: Neovim's built-in LSP client (Debian's neovim, headless) against
// `node dist/cli.js lsp --stdio`. The Lua probe records what Neovim saw; this file asserts on it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { E2E_DIR, REPO, createRun, serverOverride, stopwatch } from './harness.mjs';

const NVIM = process.env.HARBOR_E2E_NVIM || 'nvim';
const FIX_TITLE = 'Add "client_max_body_size 0;" to this server';

describe('neovim (built-in LSP client) + harbor-audit lsp --stdio', () => {
  const clock = stopwatch();
  let run;
  let seen; // what the probe wrote

  before(() => {
    run = createRun('nvim');
    try {
      probe();
    } catch (error) {
      run.markFailed();
      throw error;
    }
  });

  function probe() {
    const override = serverOverride();
    const cli = join(REPO, 'dist/cli.js');
    if (!override && !existsSync(cli)) throw new Error(`${cli} not found: run \`npm run package\` (or \`node esbuild.mjs\`) first`);
    const cmd = override ? [process.execPath, override, '--stdio'] : [process.execPath, cli, 'lsp', '--stdio'];
    const out = join(run.dir, 'nvim-result.json');
    const files = ['values.yaml', 'harbor.yml', 'nginx.conf'].map((name) => join(run.workspace, name));
    const proc = spawnSync(NVIM, ['--headless', '--clean', '-i', 'NONE', '-n', '-c', `luafile ${join(E2E_DIR, 'nvim-probe.lua')}`], {
      cwd: run.workspace,
      env: {
        ...run.env,
        E2E_OUT: out,
        E2E_CMD: JSON.stringify(cmd),
        E2E_ROOT: run.workspace,
        E2E_FILES: JSON.stringify(files),
        E2E_FIX_TITLE: FIX_TITLE,
        E2E_TIMEOUT_MS: process.env.HARBOR_E2E_NVIM_TIMEOUT_MS || '15000',
      },
      encoding: 'utf8',
      timeout: 180_000, // 3 files x (diagnostics + fix) waits at most, plus start-up
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    writeFileSync(join(run.dir, 'nvim.log'), `status ${proc.status} signal ${proc.signal}\n--- stdout\n${proc.stdout}\n--- stderr\n${proc.stderr}\n`);
    if (proc.error?.code === 'ENOENT') throw new Error(`${NVIM} not found: scripts/e2e-setup.sh installs Debian's neovim`);
    if (proc.error) throw new Error(`nvim failed: ${proc.error.message}; see ${join(run.dir, 'nvim.log')}`);
    if (!existsSync(out)) throw new Error(`nvim wrote no result (exit ${proc.status}); see ${join(run.dir, 'nvim.log')}`);
    seen = JSON.parse(readFileSync(out, 'utf8'));
    clock.mark(`nvim ${seen.nvim} probe finished (${seen.total_ms} ms inside nvim)`);
    for (const [name, entry] of Object.entries(seen.files)) {
      console.log(`# ${name}: ${entry.diagnostics.length} diagnostic(s)` + (entry.first_diagnostic_ms !== undefined ? `, first after ${entry.first_diagnostic_ms} ms` : ', none within the timeout'));
    }
  }

  after(() => run?.dispose());

  const file = (name) => {
    const entry = seen.files[name];
    assert.ok(entry, `the probe did not get to ${name}; errors: ${JSON.stringify(seen.errors)}`);
    assert.ok(!entry.timed_out, `${name}: Neovim received no diagnostics from the server (errors: ${JSON.stringify(seen.errors)})`);
    return entry;
  };
  const guard = (fn) => (t) => {
    try {
      fn(t);
    } catch (error) {
      run.markFailed();
      throw error;
    }
  };

  test('the probe ran without Lua or LSP errors', guard(() => {
    assert.deepEqual(seen.errors, []);
  }));

  test('values.yaml (goharbor Helm values): default-admin-password warning + code actions', guard(() => {
    const entry = file('values.yaml');
    const d = entry.diagnostics.find((x) => x.code === 'default-admin-password');
    assert.ok(d, `no default-admin-password diagnostic; got ${JSON.stringify(entry.diagnostics)}`);
    assert.equal(d.severity, 2, 'Warning');
    assert.equal(d.source, 'harbor-audit');
    assert.match(d.message, /harborAdminPassword is Harbor's published default/);
    const passwordLine = readFileSync(new URL('./workspace/values.yaml', import.meta.url), 'utf8').split('\n').findIndex((l) => l.startsWith('harborAdminPassword:'));
    assert.equal(d.line, passwordLine, 'on the harborAdminPassword line');
    assert.ok(entry.actions.some((a) => a.diagnostic === 'default-admin-password'), `no code action; got ${JSON.stringify(entry.actions)}`);
  }));

  test('harbor.yml (installer config): default-admin-password warning + quick fix offered', guard(() => {
    const entry = file('harbor.yml');
    const d = entry.diagnostics.find((x) => x.code === 'default-admin-password');
    assert.ok(d, `no default-admin-password diagnostic; got ${JSON.stringify(entry.diagnostics)}`);
    assert.equal(d.severity, 2);
    assert.match(d.message, /harbor_admin_password is Harbor's published default/);
    assert.equal(d.line, 4);
    assert.ok(
      entry.actions.some((a) => a.diagnostic === 'default-admin-password' && a.has_edit && /generated password/.test(a.title)),
      `no "generated password" quick fix; got ${JSON.stringify(entry.actions)}`,
    );
  }));

  test('nginx.conf (front proxy): proxy-body-size error, quick fix applied, diagnostic gone', guard(() => {
    const entry = file('nginx.conf');
    const d = entry.diagnostics.find((x) => x.code === 'proxy-body-size');
    assert.ok(d, `no proxy-body-size diagnostic; got ${JSON.stringify(entry.diagnostics)}`);
    assert.equal(d.severity, 1, 'Error');
    assert.match(d.message, /413 Request Entity Too Large/);
    assert.deepEqual([d.line, d.col], [8, 4], 'on the `server` keyword');
    assert.ok(entry.applied?.startsWith(FIX_TITLE), `quick fix not offered; got ${JSON.stringify(entry.actions)}`);
    const lines = entry.text_after_fix;
    const at = lines.findIndex((l) => l.trim() === 'client_max_body_size 0;');
    assert.ok(at > 8 && at < lines.indexOf('        location / {'), `directive not inserted into the server block:\n${lines.join('\n')}`);
    assert.equal(lines[at], '        client_max_body_size 0;', 'indented like the other directives of the server');
    assert.equal(entry.fixed_diagnostic_gone, true, `proxy-body-size still reported after the fix: ${JSON.stringify(entry.diagnostics_after_fix)}`);
  }));
});
