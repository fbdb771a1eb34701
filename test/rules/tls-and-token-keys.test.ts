/**
 * Cases the fixture folders cannot hold: a certificate expiring within 30 days
 * (generated now with openssl, so the test does not drift with the date), the
 * bundled two-node example, a FIFO in place of a key, and the key-identity hover.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeText, hoverAt } from '../../server/src/core/languageService';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { repoRoot } from '../helpers/fixtures';
import { opensslAvailable, Workdir } from '../pki/material';

const harborYml = (cert: string, key: string) =>
  `hostname: registry.example.com\nhttp:\n  port: 80\nhttps:\n  port: 443\n  certificate: ${cert}\n  private_key: ${key}\nharbor_admin_password: Zr7mQ2xLp9WvK4tN\ndata_volume: /data\n_version: 2.11.0\n`;

describe('TLS and token key rules', { skip: !opensslAvailable() && 'openssl is not installed' }, () => {
  let w: Workdir;
  before(() => {
    w = new Workdir();
    w.openssl('genrsa', '-traditional', '-out', 'a.key', '2048');
    w.openssl('req', '-new', '-x509', '-key', 'a.key', '-subj', '/CN=registry.example.com', '-addext', 'subjectAltName=DNS:registry.example.com', '-days', '10', '-out', 'soon.crt');
    w.openssl('req', '-new', '-x509', '-key', 'a.key', '-subj', '/CN=registry.example.com', '-addext', 'subjectAltName=DNS:registry.example.com', '-days', '90', '-out', 'later.crt');
  });
  after(() => w.cleanup());

  const lint = (text: string) => analyzeText({ uri: w.path('harbor.yml'), path: w.path('harbor.yml'), text }, { files: createNodeFileAccess() });

  it('warns about a certificate that expires within 30 days, not one valid for 90', async () => {
    const soon = (await lint(harborYml('soon.crt', 'a.key'))).findings.filter((f) => f.ruleId === 'tls-certificate');
    assert.equal(soon.length, 1);
    assert.equal(soon[0].severity, 'warning');
    assert.match(soon[0].message, /expires on \d{4}-\d\d-\d\d, in (9|10) days/);
    const later = (await lint(harborYml('later.crt', 'a.key'))).findings.filter((f) => f.ruleId.startsWith('tls-'));
    assert.deepEqual(later, []);
  });

  it('notes, without hanging and without a finding, a FIFO, a device or a huge file in place of a key', async () => {
    execFileSync('mkfifo', [w.path('fifo.key')]);
    const unread = async (cert: string, key: string) => {
      const analysis = await lint(harborYml(cert, key));
      assert.deepEqual(analysis.findings.filter((f) => f.ruleId.startsWith('tls-')), []);
      assert.equal(analysis.unreadablePaths.length, 1);
      return analysis.unreadablePaths[0];
    };
    const fifo = await unread('later.crt', 'fifo.key');
    assert.equal(fifo.written, 'fifo.key');
    assert.match(fifo.reason, /FIFO/);
    assert.equal(fifo.range.start.line, 6);
    assert.match((await unread('/dev/zero', 'a.key')).reason, /character device/);
    writeFileSync(w.path('big.crt'), Buffer.alloc(1024 * 1024 + 1, 0x41));
    assert.match((await unread('big.crt', 'a.key')).reason, /over the 1\.0 MiB limit/);
    const text = harborYml('later.crt', 'fifo.key');
    const hover = await hoverAt({ uri: w.path('harbor.yml'), path: w.path('harbor.yml'), text }, text.indexOf('fifo.key') + 1, { files: createNodeFileAccess() });
    assert.match(hover!.markdown, /could not be read here: .*FIFO.*map it to a copy here with `paths:`/s);
  });

  it('reports a file that is read but holds no certificate under tls-certificate, not as a mismatch', async () => {
    writeFileSync(w.path('garbage.crt'), 'not a certificate\n');
    const findings = (await lint(harborYml('garbage.crt', 'a.key'))).findings.filter((f) => f.ruleId.startsWith('tls-'));
    assert.deepEqual(findings.map((f) => f.ruleId), ['tls-certificate']);
    assert.match(findings[0].message, /^The certificate of https\.certificate \/ https\.private_key holds no readable certificate: Harbor's proxy container keeps restarting/);
    assert.match(findings[0].detail ?? '', /holds no readable certificate \(.+\): Harbor's proxy container keeps restarting/, 'the detail says why');
  });

  it('shows key ID and thumbprint on hover over a certificate path, never the key', async () => {
    const text = harborYml('later.crt', 'a.key');
    const keyHover = await hoverAt({ uri: w.path('harbor.yml'), path: w.path('harbor.yml'), text }, text.indexOf('a.key') + 1, { files: createNodeFileAccess() });
    const certHover = await hoverAt({ uri: w.path('harbor.yml'), path: w.path('harbor.yml'), text }, text.indexOf('later.crt') + 2, { files: createNodeFileAccess() });
    const keyId = /key ID \(libtrust\): `([A-Z2-7:]+)`/.exec(keyHover!.markdown)![1];
    assert.ok(certHover!.markdown.includes(keyId), 'the certificate shows the same key ID as its key');
    assert.match(certHover!.markdown, /thumbprint \(RFC 7638\): `[A-Za-z0-9_-]{43}`/);
    assert.match(certHover!.markdown, /SANs: registry\.example\.com/);
    assert.doesNotMatch(keyHover!.markdown, /PRIVATE KEY|MII/);
  });
});

describe('token-key-differs-between-nodes on examples/two-nodes', () => {
  for (const node of ['node-a', 'node-b']) {
    it(`fires on ${node} with a related location at each key`, async () => {
      const path = join(repoRoot, 'examples', 'two-nodes', node, 'harbor.yml');
      const analysis = await analyzeText({ uri: path, path, text: readFileSync(path, 'utf8') }, { files: createNodeFileAccess() });
      const findings = analysis.findings.filter((f) => f.ruleId === 'token-key-differs-between-nodes');
      assert.equal(findings.length, 1);
      assert.equal(findings[0].severity, 'error');
      assert.deepEqual(findings[0].related.map((r) => r.file.split('/').slice(-5).join('/')).sort(), ['node-a/common/config/core/private_key.pem', 'node-b/common/config/core/private_key.pem']);
      assert.doesNotMatch(findings[0].message, /PRIVATE KEY|MII/);
    });
  }
});
