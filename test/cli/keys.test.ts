/** `harbor-audit keys compare|id|find` with openssl-generated material: every exit code, and no key material in the output. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/fixtures';
import { opensslAvailable, Workdir } from '../pki/material';

const cli = join(repoRoot, 'dist', 'cli.js');

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [cli, 'keys', ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('harbor-audit keys', { skip: !opensslAvailable() && 'openssl is not installed' }, () => {
  let w: Workdir;
  let keyId: string;
  before(() => {
    w = new Workdir();
    w.openssl('genrsa', '-traditional', '-out', 'a.key', '2048');
    w.openssl('genrsa', '-traditional', '-out', 'b.key', '2048');
    w.openssl('req', '-new', '-x509', '-key', 'a.key', '-subj', '/CN=registry.example.com', '-addext', 'subjectAltName=DNS:registry.example.com', '-days', '30', '-out', 'a.crt');
    mkdirSync(w.path('tree/node-b'), { recursive: true });
    w.write('tree/node-b/private_key.pem', w.read('b.key'));
    w.write('tree/readme.txt', 'not a key');
    keyId = JSON.parse(run(['id', '--json', 'b.key'], w.dir).stdout)[0].keyId;
  });
  after(() => w.cleanup());

  it('compare: exit 0 on a match, with the JSON contract', () => {
    const result = run(['compare', 'a.key', 'a.crt', '--json'], w.dir);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(report), ['match', 'reason', 'key', 'certificate']);
    assert.equal(report.match, true);
    assert.deepEqual(Object.keys(report.key), ['type', 'bits', 'keyId', 'thumbprint']);
    assert.deepEqual(Object.keys(report.certificate), ['subject', 'sans', 'notBefore', 'notAfter', 'keyId', 'thumbprint']);
    assert.equal(report.key.type, 'rsa');
    assert.equal(report.key.bits, 2048);
    assert.equal(report.key.keyId, report.certificate.keyId);
    assert.deepEqual(report.certificate.sans, ['registry.example.com']);
    assert.match(report.key.keyId, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    assert.match(report.key.thumbprint, /^[A-Za-z0-9_-]{43}$/);
    assert.doesNotMatch(result.stdout, /PRIVATE KEY|MII/);
  });

  it('compare: exit 1 on a mismatch, in text and JSON', () => {
    const text = run(['compare', 'b.key', 'a.crt'], w.dir);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^MISMATCH: /);
    const json = run(['compare', '--json', 'b.key', 'a.crt'], w.dir);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).match, false);
    assert.doesNotMatch(json.stdout + text.stdout, /PRIVATE KEY|MII/);
  });

  it('compare: exit 2 on unreadable input (missing file, directory, no key inside, usage)', () => {
    for (const args of [['compare', 'missing.key', 'a.crt'], ['compare', 'tree', 'a.crt'], ['compare', 'tree/readme.txt', 'a.crt'], ['compare', 'a.key'], ['compare', 'a.key', 'a.crt', '--bogus'], ['frobnicate']]) {
      const result = run(args, w.dir);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, /^harbor-audit: /m, args.join(' '));
    }
  });

  it('id: one entry per key and certificate, exit 2 when a file cannot be read', () => {
    const result = run(['id', '--json', 'a.key', 'a.crt'], w.dir);
    assert.equal(result.code, 0, result.stderr);
    const ids = JSON.parse(result.stdout);
    assert.deepEqual(ids.map((o: { file: string }) => o.file), ['a.key', 'a.crt']);
    for (const o of ids) assert.deepEqual(Object.keys(o), ['file', 'type', 'keyId', 'thumbprint']);
    assert.equal(ids[0].keyId, ids[1].keyId);
    assert.equal(run(['id', 'missing.pem'], w.dir).code, 2);
    assert.equal(run(['id'], w.dir).code, 2);
  });

  it('find: from a registry log line, exit 0 with the file; 1 when no file has it; 2 without a key ID', () => {
    const line = `level=error msg="token signed by untrusted key with ID: \\"${keyId}\\""`;
    const found = run(['find', line, 'tree', '--json'], w.dir);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(JSON.parse(found.stdout), [{ file: join('tree', 'node-b', 'private_key.pem'), keyId }]);
    const none = run(['find', keyId, 'a.key', 'a.crt'], w.dir);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No key or certificate with key ID/);
    assert.equal(run(['find', 'no id here', 'tree'], w.dir).code, 2);
    assert.equal(run(['find', keyId], w.dir).code, 2);
  });

  it('reads a FIFO or device without hanging', () => {
    const result = run(['compare', '/dev/zero', 'a.crt'], w.dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /character device/);
    writeFileSync(w.path('big.crt'), Buffer.alloc(2 * 1024 * 1024, 0x41));
    assert.equal(run(['compare', 'a.key', 'big.crt'], w.dir).code, 2);
  });
});
