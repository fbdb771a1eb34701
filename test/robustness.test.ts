/** Hostile input never crashes or hangs the core: it costs a finding and the rest is still checked. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeBytes, analyzeText } from '../server/src/core/languageService';
import { createNodeFileAccess } from '../server/src/node/nodeFileAccess';
import { VALUES_DEFAULT_PASSWORD, FRONT_PROXY_NO_LIMIT } from './helpers/samples';

const files = createNodeFileAccess();
const FRONT = (extra: string) => FRONT_PROXY_NO_LIMIT.replace('    location / {', `${extra}    location / {`);

describe('hostile input', { timeout: 60000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-audit-robust-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const lint = (name: string, text: string) => analyzeText({ uri: name, path: join(dir, name), text }, { files });
  const ruleIds = async (name: string, text: string) => (await lint(name, text)).findings.map((f) => f.ruleId);

  it('an include of a FIFO, of /dev/zero and of the file itself: a finding each, no hang, rest checked', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.conf')]);
    const text = FRONT('    include pipe.conf;\n    include /dev/zero;\n    include nginx.conf;\n');
    writeFileSync(join(dir, 'nginx.conf'), text);
    const analysis = await lint('nginx.conf', text);
    const messages = analysis.findings.filter((f) => f.ruleId === 'nginx-include').map((f) => f.message);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.match(messages[0], /FIFO/);
    assert.match(messages[1], /character device/);
    assert.match(messages[2], /cycle|itself|already/i);
    assert.ok(analysis.findings.some((f) => f.ruleId === 'proxy-body-size'), 'the rest of the file is still checked');
  });

  it('an unterminated quote or brace and a missing semicolon still leave the rest checked', async () => {
    assert.deepEqual(new Set(await ruleIds('a.conf', FRONT('    add_header X-Test "unterminated;\n'))).has('nginx-syntax'), true);
    const missingBrace = FRONT('    location /v2/ {\n        proxy_pass http://harbor;\n');
    const ids = await ruleIds('b.conf', missingBrace);
    assert.ok(ids.includes('nginx-syntax') && ids.includes('proxy-body-size'), ids.join());
    const missingSemicolon = await ruleIds('c.conf', FRONT('    location /c/ { proxy_pass http://harbor }\n'));
    assert.ok(missingSemicolon.includes('nginx-syntax') && missingSemicolon.includes('proxy-body-size'), missingSemicolon.join());
  });

  it('deep nesting in nginx and YAML', async () => {
    const deepNginx = FRONT('') + 'http {'.repeat(100000);
    const nginxIds = await ruleIds('deep.conf', deepNginx);
    assert.ok(nginxIds.includes('proxy-body-size'));
    const deepYaml = 'externalURL: https://h\nexpose:\n  type: ingress\nx: ' + '['.repeat(100000) + '\n';
    const yamlIds = await ruleIds('deep.yaml', deepYaml);
    assert.ok(yamlIds.includes('yaml-syntax'), yamlIds.join());
  });

  it('binary bytes, invalid UTF-8 and a 50 MB document', async () => {
    const random = Buffer.alloc(64 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 251;
    const binary = await analyzeBytes({ uri: 'x.yaml', bytes: random }, { files });
    assert.deepEqual(binary.findings.map((f) => f.ruleId), ['input-not-text']);
    const latin1 = Buffer.from(`${VALUES_DEFAULT_PASSWORD}# \xfc\n`, 'latin1');
    const invalid = await analyzeBytes({ uri: 'y.yaml', bytes: latin1 }, { files });
    assert.deepEqual(invalid.findings.map((f) => f.ruleId), ['input-encoding', 'default-admin-password']);
    const huge = await analyzeText({ uri: 'huge.yaml', text: 'a: b\n'.repeat(10 * 1024 * 1024) }, { files });
    assert.deepEqual(huge.findings.map((f) => f.ruleId), ['input-too-large']);
  });
});
