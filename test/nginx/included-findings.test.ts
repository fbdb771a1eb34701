/**
 * A server spliced in by `include` (issue 11 item 5): its findings belong to
 * the included file, so in the including document they sit on the include
 * line, name the included place in the related information, and carry no
 * edit (an edit would land at the included file's offsets in this document).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeText, type Analysis } from '../../server/src/core/languageService';
import { fsAccess } from './fsAccess';

// nginx.conf has a Harbor server of its own (so it is recognised), and one more comes from conf.d.
const ROOT = `events {}
http {
    server {
        listen 80;
        server_name harbor.example.com;
        client_max_body_size 0;
        location / {
            proxy_pass http://harbor;
        }
    }
    include conf.d/*.conf;
}
`;

// Long enough that its offsets run past the end of ROOT, with something for most front rules to report.
const INCLUDED = `${'# padding so offsets in this file run past the end of nginx.conf\n'.repeat(5)}server {
    listen 443 ssl;
    server_name harbor.example.com;
    client_max_body_size 10m;
    proxy_request_buffering on;
    proxy_buffering on;
    proxy_read_timeout 30s;
    location / {
        proxy_pass http://harbor;
    }
    location /v2/ {
        proxy_pass http://harbor-registry:5000;
        proxy_set_header X-Forwarded-Proto http;
        chunked_transfer_encoding off;
    }
    location /harbor/ {
        proxy_pass http://harbor/;
    }
}
`;

describe('findings on a server that an include splices in', () => {
  let dir: string;
  let analysis: Analysis;
  let included: Analysis;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'harbor-audit-included-'));
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'nginx.conf'), ROOT);
    writeFileSync(join(dir, 'conf.d', 'harbor.conf'), INCLUDED);
    const files = fsAccess(dir);
    analysis = await analyzeText({ uri: 'file:///nginx.conf', path: join(dir, 'nginx.conf'), text: ROOT }, { files });
    included = await analyzeText({ uri: 'file:///harbor.conf', path: join(dir, 'conf.d', 'harbor.conf'), text: INCLUDED }, { files });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports them in the including document, on the include line', () => {
    const include = { start: ROOT.indexOf('include'), end: ROOT.indexOf(';', ROOT.indexOf('include')) + 1 };
    const about = analysis.findings.filter((f) => f.span.start >= include.start && f.span.start < include.end);
    assert.ok(about.length >= 3, `expected front-proxy findings, got ${analysis.findings.map((f) => f.ruleId).join()}`);
    for (const finding of analysis.findings) {
      assert.ok(finding.span.start >= 0 && finding.span.end <= ROOT.length, `${finding.ruleId} span ${JSON.stringify(finding.span)} is outside nginx.conf`);
    }
    for (const finding of analysis.findings.filter((f) => f.span.start > ROOT.indexOf('    }\n    include'))) {
      assert.deepEqual(finding.span, include, `${finding.ruleId} is not on the include line: ${finding.message}`);
    }
    for (const finding of about) {
      assert.ok(
        finding.related.some((r) => r.file.endsWith('harbor.conf')),
        `${finding.ruleId} does not name the included file: ${JSON.stringify(finding.related)}`,
      );
    }
  });

  it('offers no edit that would land in the including document', () => {
    for (const finding of analysis.findings) {
      for (const fix of finding.fixes) {
        for (const edit of fix.edits) {
          assert.ok(edit.span.end <= ROOT.length, `${finding.ruleId} "${fix.title}" edits ${JSON.stringify(edit.span)}, past the end of nginx.conf`);
        }
        if (finding.span.start === ROOT.indexOf('include')) assert.deepEqual(fix.edits, [], `${finding.ruleId} "${fix.title}" edits nginx.conf for a line in harbor.conf`);
      }
    }
  });

  it('reports the same causes, with fixes, when the included file itself is checked', () => {
    const rootRules = new Set(analysis.findings.filter((f) => f.span.start === ROOT.indexOf('include')).map((f) => f.ruleId));
    const ownRules = new Set(included.findings.filter((f) => f.ruleId.startsWith('proxy-')).map((f) => f.ruleId));
    for (const rule of rootRules) assert.ok(ownRules.has(rule), `${rule} fires through the include but not on harbor.conf itself`);
    for (const finding of included.findings) {
      assert.ok(finding.span.end <= INCLUDED.length);
      for (const fix of finding.fixes) for (const edit of fix.edits) assert.ok(edit.span.end <= INCLUDED.length);
    }
    assert.ok(included.findings.some((f) => f.fixes.some((fix) => fix.edits.length > 0)), 'harbor.conf gets its fixes');
  });
});
