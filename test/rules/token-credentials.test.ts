/**
 * The token-key rules beyond their fixtures: THE STALE-CREDENTIALS FIX keeps secretKey,
 * database passwords and harborAdminPassword byte for byte, chart-version parsing, and
 * the inline-PEM hover (never key material).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { analyzeText, hoverAt } from '../../server/src/core/languageService';
import { chartVersionVs } from '../../server/src/core/rules/support/token-credentials';
import { seededRandom } from '../../server/src/core/secrets';
import { applyEdits } from '../../server/src/core/text';
import { fixturesRoot } from '../helpers/fixtures';

const STALE = /^Blank the carried-over credentials/;
const KEPT = ['secretKey', 'harborAdminPassword', 'database.internal.password', 'database.external.password', 'registry.credentials.password', 'registry.credentials.username'];

function valueAt(text: string, path: string, wrapper: string[] = []): unknown {
  return parseDocument(text).getIn([...wrapper, ...path.split('.')]);
}

async function staleFix(text: string, uri = 'values.yaml') {
  const analysis = await analyzeText({ uri, text }, { random: seededRandom() });
  const finding = analysis.findings.find((f) => f.ruleId === 'token-key-pair');
  assert.ok(finding, 'token-key-pair fires');
  const fix = finding.fixes.find((f) => STALE.test(f.title));
  assert.ok(fix, 'the stale-credentials fix is offered');
  return { analysis, fix, finding };
}

describe('the stale-credentials fix (incident 1)', () => {
  for (const name of ['carried-over.yaml', 'carried-over-crlf.yaml']) {
    it(`${name}: blanks the pair and regenerable secrets, keeps secretKey and passwords byte for byte, and lints clean`, async () => {
      const text = readFileSync(join(fixturesRoot, 'token-key-pair', name), 'utf8');
      const { fix, finding } = await staleFix(text);
      assert.equal(fix.safety, 'unsafe');
      assert.ok(fix.title.length <= 70, fix.title);
      // The caveat the short title leaves out is in the finding's detail.
      assert.match(finding.detail ?? '', /Quick fix: Blank the carried-over credentials[^*]*\*\* \(unsafe\)\. Blanks .*changes on every render/);
      assert.match(finding.detail ?? '', /core\.secretName/);
      const fixed = applyEdits(text, fix.edits);
      // Byte for byte: every line holding a kept value is unchanged, and so is the parsed value.
      for (const line of text.split(/\r?\n/).filter((l) => /^\s*(secretKey|harborAdminPassword|password|username):/.test(l))) {
        assert.ok(fixed.includes(line), `kept line ${line.trim().split(':')[0]}`);
      }
      for (const path of KEPT) assert.deepEqual(valueAt(fixed, path), valueAt(text, path), path);
      for (const path of ['core.tokenKey', 'core.tokenCert', 'core.secret', 'core.xsrfKey', 'jobservice.secret', 'registry.secret', 'registry.credentials.htpasswdString']) {
        assert.equal(valueAt(fixed, path), '', `${path} blanked`);
      }
      // No other line changed: same line count minus the PEM bodies, same line endings.
      assert.equal(fixed.includes('\r\n'), text.includes('\r\n'));
      if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(fixed), 'CRLF kept everywhere');
      const after = await analyzeText({ uri: 'values.yaml', text: fixed }, { random: seededRandom() });
      assert.deepEqual(after.findings.filter((f) => f.ruleId === 'token-key-pair' || f.ruleId === 'yaml-syntax'), []);
    });
  }

  it('never touches an existingSecret-backed secret, a templated one, or the values of secretKey and the DB when they are set as well', async () => {
    const pair = readFileSync(join(fixturesRoot, 'token-key-pair', 'carried-over.yaml'), 'utf8');
    const text = pair
      .replace('  secret: c29tZS1zZWNyZXQt', '  secret: c29tZS1zZWNyZXQt\n  existingSecret: harbor-core')
      .replace('jobservice:\n  secret: jobsecret1234567', 'jobservice:\n  secret: "{{ .Values.jobSecret }}"')
      .replace('  type: internal', '  type: external\n  external:\n    host: pg.example.internal\n    password: Ext3rnalDbPw9x');
    const { fix } = await staleFix(text);
    const fixed = applyEdits(text, fix.edits);
    assert.equal(valueAt(fixed, 'core.secret'), 'c29tZS1zZWNyZXQt', 'core.secret is ignored with core.existingSecret: left alone');
    assert.equal(valueAt(fixed, 'jobservice.secret'), '{{ .Values.jobSecret }}');
    assert.equal(valueAt(fixed, 'database.external.password'), 'Ext3rnalDbPw9x');
    for (const path of KEPT) assert.deepEqual(valueAt(fixed, path), valueAt(text, path), path);
  });

  it('works inside a wrapper chart and keeps the wrapper\'s secretKey', async () => {
    const text = readFileSync(join(fixturesRoot, 'token-key-pair', 'mismatch-wrapper.yaml'), 'utf8').replace('harbor:\n', 'harbor:\n  secretKey: Zb3kQ9wX2mV7pL5r\n  harborAdminPassword: Qs7vKd2mRw9pLx4n\n');
    const { fix } = await staleFix(text);
    const fixed = applyEdits(text, fix.edits);
    assert.equal(valueAt(fixed, 'secretKey', ['harbor']), 'Zb3kQ9wX2mV7pL5r');
    assert.equal(valueAt(fixed, 'harborAdminPassword', ['harbor']), 'Qs7vKd2mRw9pLx4n');
    assert.equal(valueAt(fixed, 'core.tokenKey', ['harbor']), '');
  });
});

describe('chart versions as Argo and Flux pin them', () => {
  const cases: [string | undefined, 'below' | 'at-least' | undefined][] = [
    ['1.13.1', 'below'],
    ['v1.14.0', 'at-least'],
    ['1.14.x', 'at-least'],
    ['~1.13.0', 'below'],
    ['^1.13.0', undefined],
    ['^1.14.0', 'at-least'],
    ['>=1.14.0', 'at-least'],
    ['>=1.10.0 <1.14.0', 'below'],
    ['<1.14', 'below'],
    ['1.x', undefined],
    ['*', undefined],
    ['HEAD', undefined],
    ['main', undefined],
    [undefined, undefined],
    ['2.0.0', 'at-least'],
  ];
  for (const [version, expected] of cases) {
    it(`${version ?? '(none)'} vs 1.14 is ${expected ?? 'open'}`, () => assert.equal(chartVersionVs(version, 1, 14), expected));
  }
});

describe('inline PEM hover', () => {
  it('shows type, size, key ID, thumbprint, subject and expiry of tokenCert, never the PEM', async () => {
    const text = readFileSync(join(fixturesRoot, 'token-key-pair', 'carried-over.yaml'), 'utf8');
    const certAt = text.indexOf('-----BEGIN CERTIFICATE-----') + 40;
    const hover = await hoverAt({ uri: 'values.yaml', text }, certAt);
    assert.ok(hover, 'hover shown');
    assert.match(hover.markdown, /core\.tokenCert/);
    assert.match(hover.markdown, /RSA 2048 bits/);
    assert.match(hover.markdown, /libtrust key ID: `([A-Z2-7]{4}:){11}[A-Z2-7]{4}`/);
    assert.match(hover.markdown, /RFC 7638 thumbprint: `[A-Za-z0-9_-]{43}`/);
    assert.match(hover.markdown, /Subject: CN=harbor-token-ca/);
    assert.match(hover.markdown, /Valid until: \d{4}-\d\d-\d\d/);
    assert.doesNotMatch(hover.markdown, /BEGIN|MII/);
  });

  it('describes the private key in tokenKey without any of its material', async () => {
    const text = readFileSync(join(fixturesRoot, 'token-key-format', 'pkcs8-argo-values-string.yaml'), 'utf8');
    const at = text.indexOf('-----BEGIN PRIVATE KEY-----') + 100;
    const hover = await hoverAt({ uri: 'app.yaml', text }, at);
    assert.ok(hover);
    assert.match(hover.markdown, /Private key\*\*, PKCS#8/);
    assert.match(hover.markdown, /libtrust key ID/);
    const body = text.split('\n').filter((l) => /^\s+[A-Za-z0-9+/=]{40,}$/.test(l)).map((l) => l.trim());
    for (const line of body) assert.ok(!hover.markdown.includes(line.slice(0, 16)), 'no key material');
    assert.doesNotMatch(hover.markdown, /BEGIN|MII/);
  });

  it('says when the key is an encrypted one without trying to read it', async () => {
    const text = readFileSync(join(fixturesRoot, 'token-key-format', 'encrypted.yaml'), 'utf8');
    const hover = await hoverAt({ uri: 'values.yaml', text }, text.indexOf('ENCRYPTED PRIVATE KEY') + 5);
    assert.ok(hover);
    assert.match(hover.markdown, /encrypted PKCS#8/);
    assert.match(hover.markdown, /not described without its password/);
  });

});
