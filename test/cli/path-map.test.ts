/** Key and certificate paths named for another host: `paths:`, `--path-map`, search by name, and the summary line. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesRoot, repoRoot } from '../helpers/fixtures';

const cli = join(repoRoot, 'dist', 'cli.js');
const certs = join(fixturesRoot, 'tls-key-certificate-mismatch', 'certs');

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const HARBOR_YML = readFileSync(join(fixturesRoot, 'tls-key-certificate-mismatch', 'harbor-match_fp.yml'), 'utf8')
  .replace('certs/registry.crt', '/data/cert/server.crt')
  .replace('certs/registry.key', '/data/cert/server.key');

describe('key and certificate paths on another host (CLI)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-audit-paths-'));
    // Two copies of the host's /data/cert: the good pair and one with the old key. Same names, so a search cannot choose.
    mkdirSync(join(dir, 'good'));
    mkdirSync(join(dir, 'renewed'));
    copyFileSync(join(certs, 'registry.crt'), join(dir, 'good', 'server.crt'));
    copyFileSync(join(certs, 'registry.key'), join(dir, 'good', 'server.key'));
    copyFileSync(join(certs, 'registry.crt'), join(dir, 'renewed', 'server.crt'));
    copyFileSync(join(certs, 'old-registry.key'), join(dir, 'renewed', 'server.key'));
    mkdirSync(join(dir, 'install'));
    writeFileSync(join(dir, 'install', 'harbor.yml'), HARBOR_YML);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts paths it cannot read in the summary, with no finding', () => {
    const result = run(['.'], dir);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(
      result.stdout,
      'No problems found in 1 Harbor config file.\n2 key or certificate paths could not be read here; map them with `paths:` in .harbor-audit.yaml or --path-map FROM=TO.\n',
    );
  });

  it('reads the files through paths: in .harbor-audit.yaml, and --path-map wins over it', () => {
    writeFileSync(join(dir, '.harbor-audit.yaml'), 'paths:\n  /data/cert: ./renewed\n');
    try {
      const mapped = run(['install'], dir);
      assert.equal(mapped.code, 1, mapped.stdout + mapped.stderr);
      assert.match(mapped.stdout, /^install\/harbor\.yml:8:\d+: error tls-key-certificate-mismatch \(HB-TLS-PAIR\): /m);
      assert.doesNotMatch(mapped.stdout, /could not be read here/);

      const overridden = run(['--path-map', '/data/cert=good', 'install'], dir);
      assert.equal(overridden.code, 0, overridden.stdout + overridden.stderr);
      assert.equal(overridden.stdout, 'No problems found in 1 Harbor config file.\n');

      const json = JSON.parse(run(['--format', 'json', 'install'], dir).stdout) as { findings: { ruleId: string }[] };
      assert.deepEqual(json.findings.map((f) => f.ruleId), ['tls-key-certificate-mismatch']);
    } finally {
      rmSync(join(dir, '.harbor-audit.yaml'));
    }
  });

  it('counts a mapped path that does not exist either, and refuses a malformed --path-map', () => {
    const missing = run(['--path-map=/data/cert=nowhere', 'install'], dir);
    assert.equal(missing.code, 0);
    assert.match(missing.stdout, /^2 key or certificate paths could not be read here/m);
    for (const bad of ['/data/cert', '=x', 'data/cert=x']) {
      const result = run(['--path-map', bad, 'install'], dir);
      assert.equal(result.code, 2, bad);
      assert.match(result.stderr, /--path-map/);
    }
  });

  it('uses the one file of that name under the paths given, nearest the config', () => {
    const only = mkdtempSync(join(tmpdir(), 'harbor-audit-paths-one-'));
    try {
      mkdirSync(join(only, 'install', 'cert'), { recursive: true });
      writeFileSync(join(only, 'install', 'harbor.yml'), HARBOR_YML);
      copyFileSync(join(certs, 'registry.crt'), join(only, 'install', 'cert', 'server.crt'));
      copyFileSync(join(certs, 'old-registry.key'), join(only, 'install', 'cert', 'server.key'));
      // A same-named pair further away is not chosen.
      mkdirSync(join(only, 'elsewhere'));
      copyFileSync(join(certs, 'registry.crt'), join(only, 'elsewhere', 'server.crt'));
      copyFileSync(join(certs, 'registry.key'), join(only, 'elsewhere', 'server.key'));
      const result = run(['.'], only);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /error tls-key-certificate-mismatch/);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  });
});
