/**
 * An nginx.conf whose Harbor servers all come from included files is Harbor's
 * front proxy (issue 10): recognised through the includes the file access can
 * read, and a run over the folder reports each problem once, in the file that
 * holds it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../server/src/cli/main';
import { analyzeText } from '../../server/src/core/languageService';
import { seededRandom } from '../../server/src/core/secrets';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';

const MAIN = 'user nginx;\nevents {}\n\nhttp {\n    include mime.types;\n    include /etc/nginx/conf.d/*.conf;\n}\n';
const HARBOR_SITE = 'server {\n    listen 443 ssl;\n    server_name registry.example.com;\n    ssl_certificate /etc/nginx/ssl/registry.crt;\n    ssl_certificate_key /etc/nginx/ssl/registry.key;\n\n    location / {\n        proxy_pass http://harbor-core.internal:8080;\n        proxy_set_header Host $http_host;\n        proxy_set_header X-Forwarded-Proto $scheme;\n    }\n}\n';
const NEXUS_SITE = 'server {\n    listen 443 ssl;\n    server_name repo.example.com;\n    location / {\n        proxy_pass http://nexus:8081;\n        proxy_set_header Host $http_host;\n    }\n}\n';

async function analyse(path: string, text: string) {
  return analyzeText({ uri: path, path, text }, { files: createNodeFileAccess(), random: seededRandom() });
}

describe('an nginx.conf whose Harbor servers are all included', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'harbor-audit-includer-'));
    for (const [site, text] of [['harbor', HARBOR_SITE], ['nexus', NEXUS_SITE]]) {
      mkdirSync(join(root, site, 'conf.d'), { recursive: true });
      writeFileSync(join(root, site, 'nginx.conf'), MAIN);
      writeFileSync(join(root, site, 'conf.d', `${site}.conf`), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is a front proxy, and says which included file serves Harbor', async () => {
    const analysis = await analyse(join(root, 'harbor', 'nginx.conf'), MAIN);
    assert.equal(analysis.recognition.kind, 'nginx');
    assert.equal(analysis.recognition.detail, 'front');
    assert.match(analysis.recognition.reason, /included conf\.d\/harbor\.conf/);
    assert.ok(analysis.dependencies.some((path) => path.endsWith('conf.d/harbor.conf')), analysis.dependencies.join(', '));
    // Checked in its own right, the include line carries the included server's problem.
    assert.ok(analysis.findings.some((f) => f.ruleId === 'proxy-body-size'), analysis.findings.map((f) => f.ruleId).join(', '));
    // The stock mime.types is not in the repository, and holds nothing a Harbor check reads.
    assert.equal(analysis.findings.filter((f) => f.ruleId === 'nginx-include').length, 0);
  });

  it('is not Harbor when the included server proxies Nexus', async () => {
    const analysis = await analyse(join(root, 'nexus', 'nginx.conf'), MAIN);
    assert.equal(analysis.recognition.kind, 'not-harbor', analysis.recognition.reason);
  });

  it('a run over the folder reports each problem once, in the conf.d file', async () => {
    let stdout = '';
    const code = await runCli(['--format', 'json', join(root, 'harbor')], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: root });
    assert.equal(code, 1);
    const findings = JSON.parse(stdout).findings as { file: string; ruleId: string }[];
    const bodySize = findings.filter((f) => f.ruleId === 'proxy-body-size');
    assert.deepEqual(bodySize.map((f) => f.file.replace(root, '')), ['/harbor/conf.d/harbor.conf']);
  });
});
