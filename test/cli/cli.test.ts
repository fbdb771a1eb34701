/** The harbor-audit command as CI runs it: exit codes, formats, folders, config and hostile paths. */
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/fixtures';
import { FRONT_PROXY_NO_LIMIT, positionOf, VALUES_CLEAN, VALUES_DEFAULT_PASSWORD } from '../helpers/samples';

const cli = join(repoRoot, 'dist', 'cli.js');

/** The command as a process: for what only a process shows (exit status, a device or FIFO that must not block it). */
function runProcess(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command in this process (the same runCli the bundle's entry point calls): no node start-up per call. */
async function run(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd });
  return { code, stdout, stderr };
}

const VALUES_DEFAULT = VALUES_DEFAULT_PASSWORD;
const NGINX_NO_LIMIT = FRONT_PROXY_NO_LIMIT;
const PASSWORD_AT = positionOf(VALUES_DEFAULT, 'Harbor12345');

describe('harbor-audit CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-audit-cli-'));
    mkdirSync(join(dir, 'deploy', 'helm'), { recursive: true });
    mkdirSync(join(dir, 'deploy', 'proxy'), { recursive: true });
    mkdirSync(join(dir, 'other'), { recursive: true });
    writeFileSync(join(dir, 'deploy', 'helm', 'values.yaml'), VALUES_DEFAULT);
    writeFileSync(join(dir, 'deploy', 'proxy', 'nginx.conf'), NGINX_NO_LIMIT);
    writeFileSync(join(dir, 'clean.yaml'), VALUES_CLEAN);
    writeFileSync(join(dir, 'other', 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\ndata:\n  password: Harbor12345\n');
    writeFileSync(join(dir, 'other', 'notes.conf'), 'HARBOR_HOST=registry\nexport HARBOR_HOST\n');
    writeFileSync(join(dir, 'other', 'blob.bin.yaml'), Buffer.from([0x00, 0x01, 0x02, 0xff]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 with a summary when nothing is at or above --fail-on', async () => {
    const result = runProcess(['clean.yaml'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'No problems found in 1 Harbor config file.\n');
  });

  it('exits 0 on warnings by default and 1 with --fail-on warning', async () => {
    assert.equal((await run(['deploy/helm/values.yaml'], dir)).code, 0);
    const result = (await run(['--fail-on', 'warning', 'deploy/helm/values.yaml'], dir));
    assert.equal(result.code, 1);
    assert.ok(result.stdout.startsWith(`deploy/helm/values.yaml:${PASSWORD_AT.line + 1}:${PASSWORD_AT.character + 1}: warning default-admin-password (HB-ADMIN-PW): `), result.stdout);
    assert.match(result.stdout, /fix \(unsafe\): Read the admin password from Secret/);
  });

  it('exits 1 on an error', async () => {
    const result = (await run(['deploy/proxy/nginx.conf'], dir));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /nginx\.conf:1:1: error proxy-body-size \(HB-PROXY-BODY-SIZE\): .*413/);
  });

  it('exits 2 on usage errors, with a message', async () => {
    for (const args of [[], ['--format', 'xml', '.'], ['--fail-on', 'fatal', '.'], ['--bogus', '.'], ['does-not-exist.yaml'], ['--config', 'missing.yaml', '.'], ['--format']]) {
      const result = await run(args, dir);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, /^harbor-audit: /, args.join(' '));
    }
  });

  it('walks folders by content and names files as given, joined with the inner path', async () => {
    const result = (await run(['--format', 'json', '.'], dir));
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.version, 1);
    assert.deepEqual(
      report.findings.map((f: { file: string; ruleId: string }) => `${f.file} ${f.ruleId}`),
      ['deploy/helm/values.yaml default-admin-password', 'deploy/proxy/nginx.conf proxy-body-size'],
    );
    assert.equal(result.stderr, '', 'binary and unrelated files inside a folder are passed over silently');
  });

  it('keeps the JSON contract', async () => {
    const report = JSON.parse((await run(['--format=json', 'deploy/helm/values.yaml'], dir)).stdout);
    assert.deepEqual(report, {
      version: 1,
      findings: [
        {
          file: 'deploy/helm/values.yaml',
          ruleId: 'default-admin-password',
          catalogId: 'HB-ADMIN-PW',
          severity: 'warning',
          message: report.findings[0].message,
          detail: report.findings[0].detail,
          range: { start: PASSWORD_AT, end: { line: PASSWORD_AT.line, character: PASSWORD_AT.character + 'Harbor12345'.length } },
          fixes: [{ title: 'Read the admin password from Secret "harbor-admin-password"', safety: 'unsafe' }],
        },
      ],
    });
    assert.doesNotMatch(report.findings[0].message, /Harbor12345.*Harbor12345/, 'messages do not repeat secret values');
    assert.ok(report.findings[0].message.length <= 160, report.findings[0].message);
    assert.match(report.findings[0].detail, /anyone can log in as admin[\s\S]*Create the Secret first, with key HARBOR_ADMIN_PASSWORD/);
  });

  it('writes SARIF 2.1.0 that code scanning accepts', async () => {
    const sarif = JSON.parse((await run(['--format', 'sarif', '.'], dir)).stdout);
    assert.equal(sarif.version, '2.1.0');
    const [runResult] = sarif.runs;
    assert.equal(runResult.tool.driver.name, 'harbor-audit');
    const ruleIds = runResult.tool.driver.rules.map((r: { id: string }) => r.id);
    for (const result of runResult.results) {
      assert.equal(ruleIds[result.ruleIndex], result.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(result.level));
      const region = result.locations[0].physicalLocation.region;
      assert.ok(region.startLine >= 1 && region.startColumn >= 1);
      assert.ok(!result.locations[0].physicalLocation.artifactLocation.uri.startsWith('/'), 'relative uri');
    }
    assert.deepEqual(runResult.results.map((r: { locations: { physicalLocation: { region: { startLine: number } } }[] }) => r.locations[0].physicalLocation.region.startLine), [PASSWORD_AT.line + 1, 1]);
    for (const rule of runResult.tool.driver.rules) assert.ok(rule.help.markdown.includes(`# ${rule.id}`));
    for (const result of runResult.results) {
      assert.ok(result.message.text.length <= 160, result.message.text);
      assert.ok(result.message.markdown.startsWith(`${result.message.text}\n\n`), 'markdown is the message, then its detail');
    }
  });

  it('prints the detail under each finding with --verbose, and when one file is checked', async () => {
    const indented = /\n {6}\S.*anyone can log in as admin/;
    const single = (await run(['deploy/helm/values.yaml'], dir)).stdout;
    assert.match(single, indented, 'one file checked: the detail is printed');
    assert.doesNotMatch(single, /\*\*|`/, 'markdown is printed as plain text');
    const lines = single.split('\n');
    assert.ok(lines[0].length - lines[0].indexOf('): ') - 3 <= 160, lines[0]);
    const folder = (await run(['deploy'], dir)).stdout;
    assert.doesNotMatch(folder, indented, 'several files: one line per finding');
    assert.match((await run(['--verbose', 'deploy'], dir)).stdout, indented);
  });

  it('reads .harbor-audit.yaml: severities and ignore globs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harbor-audit-config-'));
    try {
      mkdirSync(join(root, 'vendor'));
      writeFileSync(join(root, 'values.yaml'), VALUES_DEFAULT);
      writeFileSync(join(root, 'vendor', 'nginx.conf'), NGINX_NO_LIMIT);
      writeFileSync(join(root, '.harbor-audit.yaml'), 'rules:\n  HB-ADMIN-PW: error\nignore:\n  - vendor/\n');
      const result = (await run(['--format', 'json', '.'], root));
      assert.equal(result.code, 1);
      const findings = JSON.parse(result.stdout).findings;
      assert.deepEqual(findings.map((f: { file: string; severity: string }) => `${f.file} ${f.severity}`), ['values.yaml error']);
      writeFileSync(join(root, 'custom.yaml'), 'rules:\n  default-admin-password: off\n');
      assert.equal((await run(['--config', 'custom.yaml', 'values.yaml'], root)).stdout, 'No problems found in 1 Harbor config file.\n');
      writeFileSync(join(root, 'broken.yaml'), 'rules:\n  default-admin-password: loud\n');
      const broken = (await run(['--config', 'broken.yaml', 'values.yaml'], root));
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /`loud` is not one of off, hint, info, warning, error/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names a binary file given on the command line, and refuses devices and FIFOs without hanging', async () => {
    const binary = runProcess(['--format', 'json', 'other/blob.bin.yaml'], dir);
    assert.equal(JSON.parse(binary.stdout).findings[0].ruleId, 'input-not-text');
    const device = runProcess(['/dev/zero'], dir);
    assert.equal(device.code, 2);
    assert.match(device.stderr, /\/dev\/zero: not checked: it is a character device/);
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const result = runProcess(['pipe.yaml'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /pipe\.yaml: not checked: it is a FIFO/);
    const walked = runProcess(['.'], dir);
    assert.ok(walked.code === 1 && !walked.stderr.includes('pipe'), 'a FIFO inside a folder is passed over');
  });

  it('prints the nginx parse as a crossplane payload', async () => {
    const result = (await run(['nginx-json', 'deploy/proxy/nginx.conf'], dir));
    assert.equal(result.code, 0, result.stderr);
    const payload = JSON.parse(result.stdout);
    assert.equal(payload.status, 'ok');
    const server = payload.config[0].parsed[0];
    assert.equal(server.directive, 'server');
    assert.deepEqual(server.block.map((d: { directive: string }) => d.directive), ['listen', 'server_name', 'location']);
    assert.equal((await run(['nginx-json'], dir)).code, 2);
  });

  it('answers --help and --version', async () => {
    assert.match((await run(['--help'], dir)).stdout, /^Usage:/);
    assert.match((await run(['--version'], dir)).stdout, /^\d+\.\d+\.\d+\n$/);
    assert.ok(existsSync(cli));
  });
});
