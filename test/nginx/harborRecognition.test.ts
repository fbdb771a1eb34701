/**
 * Which nginx is Harbor's: its own generated config of every version is internal
 * (front rules never run on it), a look-alike proxy is not Harbor, and the
 * template shapes committed in the product match ../shared/upstream.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { analyzeText } from '../../server/src/core/languageService';
import { HARBOR_BODY_LINES, HARBOR_INSTALLER_BODIES, HARBOR_NGINX_TEMPLATES } from '../../server/src/core/nginx/harborTemplates.generated';
import { classifyNginx } from '../../server/src/core/nginx/harborRecognition';
import { compareWithInstallerTemplates } from '../../server/src/core/nginx/harborBodies';
import { parseNginx } from '../../server/src/core/nginx/parser';
import { seededRandom } from '../../server/src/core/secrets';
import { applyEdits } from '../../server/src/core/text';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { collectBodies, collectTemplates, renderBranches, upstreamRoot } from '../../server/src/tools/harborNginxTemplates';
import { existsSync } from 'node:fs';
import { fixturesRoot } from '../helpers/fixtures';

const renderedDir = join(fixturesRoot, 'internal-forwarded-proto');
const rendered = readdirSync(renderedDir).filter((name) => /^harbor-[\d.]+-https?-rendered(_fp)?\.conf$/.test(name));

async function lint(path: string, text = readFileSync(path, 'utf8')) {
  return analyzeText({ uri: path, path, text }, { files: createNodeFileAccess(), random: seededRandom() });
}

describe("Harbor's own nginx of every version is internal", () => {
  it('covers 1.1, 1.5, 1.7, 1.8, 2.0, 2.2 and 2.3 onwards', () => {
    const versions = rendered.map((name) => /^harbor-([\d.]+)-/.exec(name)![1]);
    for (const version of ['1.1', '1.5', '1.7', '1.8', '2.0', '2.2', '2.3', '2.10', '2.15']) assert.ok(versions.includes(version), `no rendered ${version} fixture`);
  });
  for (const name of rendered) {
    it(`${name}: internal, and no front-proxy rule fires`, async () => {
      const analysis = await lint(join(renderedDir, name));
      assert.equal(analysis.recognition.detail, 'internal', analysis.recognition.reason);
      assert.match(analysis.recognition.reason, /Harbor \d/);
      const front = analysis.findings.filter((f) => !f.ruleId.startsWith('internal-') && f.ruleId !== 'tls-key-certificate-mismatch' && f.ruleId !== 'tls-certificate');
      assert.deepEqual(front.map((f) => f.ruleId), []);
    });
  }
  it('a hand-edited copy that keeps the notifications block and core/portal upstreams is still internal', () => {
    const text = 'http {\n upstream core { server core:8080; }\n upstream portal { server portal:8080; }\n server { listen 8080; location / { proxy_pass http://portal/; } location /service/notifications { return 404; } }\n}\n';
    assert.equal(classifyNginx(parseNginx(text, 'nginx.conf')).role, 'internal');
  });
});

describe('internal-forwarded-proto: one finding per file, at the catalog severity', () => {
  const source = readFileSync(join(renderedDir, 'harbor-1.8-http-rendered.conf'), 'utf8');

  it('reports once with every other location as related information, as info when no proxy is known', async () => {
    const findings = (await lint(join(renderedDir, 'harbor-1.8-http-rendered.conf'))).findings.filter((f) => f.ruleId === 'internal-forwarded-proto');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'info');
    assert.equal(findings[0].related.length, 4);
    assert.ok(findings[0].message.length <= 120, findings[0].message);
  });

  it('its fix writes the map block on lines of its own when an earlier line ends in CRLF and the http line in LF', async () => {
    // The line break is that of the http block's line (a whole-file guess put the block on one line, joined to the next).
    const text = source.replace('\n', '\r\n');
    const path = join(renderedDir, 'harbor-1.8-http-rendered.conf');
    const finding = (await lint(path, text)).findings.find((f) => f.ruleId === 'internal-forwarded-proto');
    const fixed = applyEdits(text, finding!.fixes[0].edits);
    assert.match(fixed, /\nhttp \{\n {2,}map \$http_x_forwarded_proto \$x_forwarded_proto \{\n {4,}default \$http_x_forwarded_proto;\n {4,}"" \$scheme;\n {2,}\}\n/);
    assert.deepEqual((await lint(path, fixed)).findings.filter((f) => f.ruleId === 'internal-forwarded-proto'), []);
  });

  for (const [label, extra, expected] of [
    ['harbor.yml external_url https', { 'harbor.yml': 'hostname: reg.example.com\nexternal_url: https://reg.example.com\nharbor_admin_password: x\ndata_volume: /data\n' }, 'error'],
    ['core env EXT_ENDPOINT https', { 'common/config/core/env': 'CONFIG_PATH=/etc/core/app.conf\nEXT_ENDPOINT=https://reg.example.com\n' }, 'error'],
    ['harbor.yml without external_url', { 'harbor.yml': 'hostname: reg.example.com\nharbor_admin_password: x\ndata_volume: /data\n' }, 'info'],
  ] as const) {
    it(`${label} → ${expected}`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'ngacc-xfp-'));
      try {
        const nginxDir = join(root, 'common', 'config', 'nginx');
        mkdirSync(nginxDir, { recursive: true });
        for (const [relative, text] of Object.entries(extra)) {
          mkdirSync(join(root, relative, '..'), { recursive: true });
          writeFileSync(join(root, relative), text);
        }
        const path = join(nginxDir, 'nginx.conf');
        writeFileSync(path, source);
        const findings = (await lint(path)).findings.filter((f) => f.ruleId === 'internal-forwarded-proto');
        assert.equal(findings.length, 1);
        assert.equal(findings[0].severity, expected);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});

describe('a look-alike is not Harbor', () => {
  const role = (text: string, path = 'site.conf') => classifyNginx(parseNginx(text, path)).role;
  const cases: [string, string, string, 'front' | 'unrelated'][] = [
    ['cache zone named harbor', 'proxy_cache_path /c keys_zone=harbor:10m;\nserver { listen 80; location / { proxy_cache harbor; proxy_pass http://10.0.0.2:8081; } }\n', 'site.conf', 'unrelated'],
    ['log path naming harbor', 'server { listen 80; access_log /var/log/nginx/harbor.log; location / { proxy_pass http://10.0.0.2:8081; } }\n', 'site.conf', 'unrelated'],
    ['comment in a Nexus proxy', 'server { listen 80; server_name nexus.lan;\n # was harbor\n location / { proxy_pass http://10.0.0.2:8081; } }\n', 'site.conf', 'unrelated'],
    ['comment in a registry:2 proxy', 'server { listen 80;\n # not harbor any more\n location /v2/ { proxy_pass http://registry:5000; } }\n', 'site.conf', 'unrelated'],
    ['conf.d/harbor.conf that proxies GitLab', 'server { listen 80; location / { proxy_pass http://gitlab-workhorse; } }\n', 'conf.d/harbor.conf', 'unrelated'],
    ['a comment is enough in a plain proxy', 'server { listen 443 ssl;\n # Harbor\n location / { proxy_pass http://10.0.0.5; } }\n', 'site.conf', 'front'],
    ['conf.d/harbor.conf by IP', 'server { listen 443 ssl; location / { proxy_pass http://10.0.0.5; } }\n', 'conf.d/harbor.conf', 'front'],
    ['/c/ routed', 'server { listen 443 ssl; location / { proxy_pass http://10.0.0.5; } location /c/ { proxy_pass http://10.0.0.5; } }\n', 'site.conf', 'front'],
    ['/service/token routed', 'server { listen 443 ssl; location /service/token { proxy_pass http://10.0.0.5; } }\n', 'site.conf', 'front'],
    ['/chartrepo/ routed', 'server { listen 443 ssl; location /chartrepo/ { proxy_pass http://10.0.0.5; } }\n', 'site.conf', 'front'],
    ['server_name harbor', 'server { listen 443 ssl; server_name harbor.example.com; location / { proxy_pass http://10.0.0.5; } }\n', 'site.conf', 'front'],
    ['upstream member naming harbor', 'upstream b { server harbor-01.lan:80; }\nserver { listen 443 ssl; location / { proxy_pass http://b; } }\n', 'site.conf', 'front'],
    ['core and portal targets', 'server { listen 443 ssl; location / { proxy_pass http://portal:8080/; } location /v2/ { proxy_pass http://core:8080/v2/; } }\n', 'site.conf', 'front'],
  ];
  for (const [label, text, path, expected] of cases) it(label, () => assert.equal(role(text, path), expected));
});

test('the committed template shapes are in step with ../shared/upstream', (t) => {
  if (!existsSync(join(upstreamRoot, 'harbor'))) return t.skip(`${upstreamRoot} is not present: cannot compare with Harbor's templates`);
  assert.deepEqual(collectTemplates(), HARBOR_NGINX_TEMPLATES, 'run `npm run build && node out/server/src/tools/harborNginxTemplates.js`');
  const { lines, bodies } = collectBodies();
  assert.deepEqual({ lines, bodies }, { lines: HARBOR_BODY_LINES, bodies: HARBOR_INSTALLER_BODIES }, 'run `npm run nginx-templates`');
});

test("every installer version's own render, with either listener and every option, differs from no template line", (t) => {
  if (!existsSync(join(upstreamRoot, 'harbor'))) return t.skip(`${upstreamRoot} is not present`);
  const root = join(upstreamRoot, 'harbor');
  let checked = 0;
  for (const version of readdirSync(root)) {
    for (const name of ['nginx.http.conf.jinja', 'nginx.https.conf.jinja']) {
      const path = join(root, version, 'make', 'photon', 'prepare', 'templates', 'nginx', name);
      if (!existsSync(path)) continue;
      const template = readFileSync(path, 'utf8').replace(/\{\{\s*metric\.path\s*\}\}/g, '/metrics');
      for (const takeIf of [false, true]) {
        // The values harbor.yml fills in, as prepare writes them.
        const text = renderBranches(template, takeIf).replace(/\{\{\s*ssl_cert\s*\}\}/g, '/etc/cert/server.crt').replace(/\{\{\s*ssl_cert_key\s*\}\}/g, '/etc/cert/server.key').replace(/\{\{\s*https_redirect\s*\}\}/g, 'reg.example.com').replace(/\{\{\s*metric\.port\s*\}\}/g, '8001');
        const comparison = compareWithInstallerTemplates(parseNginx(text, 'nginx.conf').directives);
        assert.deepEqual([...comparison!.added.map((a) => a.line), ...comparison!.removed], [], `${version} ${name} ${takeIf ? 'options on' : 'defaults'}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} renders`);
});

test('recognition walks a chain of nested locations once, not once per location (fuzz: 1,000 nested `location ~ ^/v2/ {` took 0.8 s)', () => {
  // Not timed: the directives the recognition lists are counted, through the walk helper it lists them with.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const walk = require('../../server/src/core/nginx/walk') as { spliceIncludes: (list: readonly unknown[]) => unknown[] };
  const original = walk.spliceIncludes;
  const listed = (depth: number) => {
    const text = `server {\n    listen 443 ssl;\n    ${'location ~ ^/v2/ {'.repeat(depth)}\n    proxy_pass http://harbor;\n`;
    let count = 0;
    walk.spliceIncludes = (list) => {
      count += list.length;
      return original(list);
    };
    try {
      assert.equal(classifyNginx(parseNginx(text, 'nginx.conf')).role, 'front');
    } finally {
      walk.spliceIncludes = original;
    }
    return count;
  };
  const small = listed(500);
  const large = listed(1000);
  assert.ok(large < small * 2.5, `listing grew ${(large / small).toFixed(2)}x for twice the depth (${small}, ${large})`);
});
