/** CLI conventions: no config found, FIFOs, nginx-json's exit code, text grouped by file, colour on terminals only. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runCli, wantsColor } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/fixtures';
import { FRONT_PROXY_NO_LIMIT, VALUES_DEFAULT_PASSWORD } from '../helpers/samples';

const cli = join(repoRoot, 'dist', 'cli.js');

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function inProcess(args: string[], cwd: string, color = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, color });
  return { code, stdout, stderr };
}

describe('harbor-audit CLI conventions', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-audit-conventions-'));
    mkdirSync(join(dir, 'apps'));
    writeFileSync(join(dir, 'apps', 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\ndata:\n  level: debug\n');
    writeFileSync(join(dir, 'values.yaml'), VALUES_DEFAULT_PASSWORD);
    writeFileSync(join(dir, 'nginx.conf'), FRONT_PROXY_NO_LIMIT);
    writeFileSync(join(dir, 'broken.conf'), 'server {\n    listen 80;\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--version prints the package version, from the small entry that loads no core', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = run(['--version'], dir);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${manifest.version}\n`);
    // The entry bundle holds no analysis code: everything else is required from dist/harbor-audit.js.
    const entry = readFileSync(join(repoRoot, 'dist', 'cli.js'), 'utf8');
    assert.ok(entry.length < 2048 && entry.includes('./harbor-audit.js'), `dist/cli.js is ${entry.length} bytes`);
  });

  it('the core bundle is ASCII, so the running server holds its source as one byte a character', () => {
    // V8 keeps a script's source in memory; one character past Latin-1 (a comment esbuild keeps) stores all 2.3 MB as UTF-16.
    const bundle = readFileSync(join(repoRoot, 'dist', 'harbor-audit.js'), 'utf8');
    const wide = /[^\x00-\x7f]/.exec(bundle);
    assert.equal(wide, null, wide ? `dist/harbor-audit.js: ${JSON.stringify(bundle.slice(Math.max(0, wide.index - 60), wide.index + 20))}` : '');
  });

  it('no Harbor config among the paths: says so and exits 2', () => {
    const result = run(['apps'], dir);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /no Harbor config found in apps .*--allow-empty/);
  });

  it('--allow-empty accepts a run without a Harbor config', () => {
    const result = run(['--allow-empty', 'apps'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'No problems found in 0 Harbor config files.\n');
  });

  it('a FIFO named on the command line is reported once, without "No problems found"', { skip: process.platform === 'win32' }, () => {
    const fifo = join(dir, 'pipe.yaml');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    try {
      const result = run(['pipe.yaml'], dir);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.match(/pipe\.yaml/g)?.length, 1, result.stderr);
      assert.match(result.stderr, /FIFO/);
    } finally {
      rmSync(fifo, { force: true });
    }
  });

  it('nginx-json exits 1 when the parse failed, 0 when it did not (the payload is printed either way)', () => {
    const broken = run(['nginx-json', 'broken.conf'], dir);
    assert.equal(broken.code, 1);
    assert.equal(JSON.parse(broken.stdout).status, 'failed');
    const fine = run(['nginx-json', 'nginx.conf'], dir);
    assert.equal(fine.code, 0, fine.stderr);
    assert.equal(JSON.parse(fine.stdout).status, 'ok');
  });

  it('the text format groups findings by file, a blank line between files', async () => {
    const result = await inProcess(['--fail-on', 'warning', 'nginx.conf', 'values.yaml'], dir);
    assert.equal(result.code, 1);
    const blocks = result.stdout.trimEnd().split('\n\n');
    assert.equal(blocks.length, 3, result.stdout); // nginx.conf, values.yaml, the summary
    assert.ok(blocks[0].split('\n').every((line) => line.startsWith('nginx.conf:') || line.startsWith('    fix ')), blocks[0]);
    assert.ok(blocks[1].split('\n').every((line) => line.startsWith('values.yaml:') || line.startsWith('    fix ')), blocks[1]);
    assert.match(blocks[2], /^\d+ problems \(/);
  });

  it('colours severities only when asked (a terminal without NO_COLOR)', async () => {
    const plain = await inProcess(['nginx.conf'], dir, false);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    const coloured = await inProcess(['nginx.conf'], dir, true);
    assert.match(coloured.stdout, /\x1b\[31merror\x1b\[0m/);
    assert.equal(coloured.stdout.replace(/\x1b\[[0-9;]*m/g, ''), plain.stdout);
    assert.equal(wantsColor(true, {}), true);
    assert.equal(wantsColor(true, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
    assert.equal(wantsColor(false, {}), false);
  });

  const hasScript = !spawnSync('script', ['--version']).error;
  it('on a real terminal: colour, and none with NO_COLOR', { skip: hasScript ? false : 'script(1) is not installed' }, () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} nginx.conf`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '' } });
    assert.match(tty.stdout, /\x1b\[31merror/);
    const noColor = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.match(noColor.stdout, /error proxy-body-size/);
    assert.doesNotMatch(noColor.stdout, /\x1b\[3\dm/);
  });

  it('--unsafe-fixes and --diff go with --fix', () => {
    for (const flag of ['--unsafe-fixes', '--diff']) {
      const result = run([flag, 'nginx.conf'], dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`${flag} goes with --fix`));
    }
  });

  it("the pre-commit hook's entry command: fails on a Harbor finding, passes a commit without Harbor configs", () => {
    const hooks = parse(readFileSync(join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; files: string }[];
    const hook = hooks.find((h) => h.id === 'harbor-audit')!;
    const [command, ...args] = hook.entry.split(' ');
    assert.equal(command, 'harbor-audit');
    const files = new RegExp(hook.files);
    for (const path of ['values.yaml', 'deploy/harbor.yml', 'nginx.conf', 'etc/nginx/sites-available/harbor', 'harbor.cfg']) assert.match(path, files);
    assert.doesNotMatch('src/index.ts', files);
    assert.equal(run([...args, 'nginx.conf', 'apps/app.yaml'], dir).code, 1);
    const clean = run([...args, 'apps/app.yaml'], dir);
    assert.equal(clean.code, 0, clean.stderr);
  });
});
