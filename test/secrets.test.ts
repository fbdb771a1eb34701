/**
 * Secrets stay secret: values from the user's file never reach a message,
 * its detail, a related-location message or a fix title. One case per leak found in review.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeText } from '../server/src/core/languageService';
import type { Finding } from '../server/src/core/types';

const SECRET = 'Zq9Secr3tValue';

function visibleText(findings: Finding[]): string {
  return findings.flatMap((f) => [f.message, f.detail ?? '', ...f.related.map((r) => r.message), ...f.fixes.map((x) => x.title)]).join('\n');
}

describe('no secret value in what users see', () => {
  it('a YAML syntax error next to a password', async () => {
    for (const line of [`harborAdminPassword: |${SECRET}`, `harborAdminPassword: >${SECRET}`, `harborAdminPassword: "${SECRET}`, `harborAdminPassword: @${SECRET}`]) {
      const { findings } = await analyzeText({ uri: 'values.yaml', text: `expose:\n  type: ingress\nexternalURL: https://h.example.com\n${line}\n` });
      assert.ok(findings.some((f) => f.ruleId === 'yaml-syntax'), line);
      assert.doesNotMatch(visibleText(findings), new RegExp(SECRET), line);
    }
  });

  it('a commented-out directive that carries credentials in Harbor\'s own nginx.conf', async () => {
    const text = [
      'http {',
      '  upstream core { server core:8080; }',
      '  upstream portal { server portal:8080; }',
      '  server {',
      '    listen 8080;',
      '    include /etc/nginx/conf.d/harbor.http.*.conf;',
      '    location / {',
      '      proxy_pass http://portal/;',
      `      # proxy_set_header Authorization "Basic ${SECRET}";`,
      '    }',
      '    location /service/notifications { return 404; }',
      '  }',
      '}',
      '',
    ].join('\n');
    const { findings } = await analyzeText({ uri: 'common/config/nginx/nginx.conf', path: '/opt/harbor/common/config/nginx/nginx.conf', text });
    assert.ok(findings.some((f) => f.ruleId === 'internal-nginx-edits'));
    assert.doesNotMatch(visibleText(findings), new RegExp(SECRET));
  });

  it('credentials in a storage endpoint URL', async () => {
    const text = `expose:\n  type: ingress\nexternalURL: https://h.example.com\npersistence:\n  imageChartStorage:\n    type: s3\n    s3:\n      region: us-east-1\n      bucket: harbor\n      regionendpoint: http://admin:${SECRET}@minio.storage.svc:9000\n`;
    const { findings } = await analyzeText({ uri: 'values.yaml', text });
    assert.ok(findings.some((f) => f.ruleId === 'storage-redirect'));
    assert.doesNotMatch(visibleText(findings), new RegExp(SECRET));
  });
});
