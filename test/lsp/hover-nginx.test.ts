/** Hover in nginx files over stdio: Harbor's needs for proxy directives and its request paths. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TestLspClient } from '../helpers/lspClient';

const FRONT = [
  'server {', //                                  0
  '    listen 443 ssl;', //                       1
  '    server_name harbor.example.com;', //       2
  '    client_max_body_size 0;', //               3
  '    location /v2/ {', //                       4
  '        proxy_pass http://10.0.0.12:8080;', // 5
  '        proxy_request_buffering off;', //      6
  '        proxy_set_header Authorization "Bearer secret-token-value";', // 7
  '    }', //                                     8
  '    location /service/notifications {', //     9
  '        return 404;', //                      10
  '    }', //                                    11
  '}', //                                        12
  '',
].join('\n');

type Hover = { contents: { kind: string; value: string }; range: { start: { line: number; character: number }; end: { line: number; character: number } } } | null;

describe('nginx hover', () => {
  it('explains directives and Harbor paths, and nothing elsewhere', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-hover-nginx-'));
    const client = new TestLspClient({ workspace, pull: true });
    try {
      await client.initialize();
      const uri = client.open(join(workspace, 'harbor.conf'), FRONT);
      const at = (line: number, character: number) => client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }) as Promise<Hover>;

      const body = await at(3, 8);
      assert.ok(body);
      assert.equal(body.contents.kind, 'markdown');
      assert.match(body.contents.value, /413 Request Entity Too Large/);
      assert.match(body.contents.value, /proxy-body-size/);
      assert.deepEqual(body.range, { start: { line: 3, character: 4 }, end: { line: 3, character: 24 } });

      const buffering = await at(6, 12);
      assert.match(buffering!.contents.value, /proxy_http_version 1\.1/);

      const v2 = await at(4, 15);
      assert.match(v2!.contents.value, /registry API/);
      assert.deepEqual(v2!.range, { start: { line: 4, character: 4 }, end: { line: 4, character: 17 } });

      const notifications = await at(9, 20);
      assert.match(notifications!.contents.value, /return 404/);

      // The header's value is never echoed back.
      const header = await at(7, 10);
      assert.match(header!.contents.value, /All-or-nothing/);
      assert.doesNotMatch(header!.contents.value, /secret-token-value/);

      assert.equal(await at(2, 8), null); // server_name: no hover
      assert.equal(await at(10, 9), null); // return
    } finally {
      await client.shutdown();
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('stays silent in an nginx file that does not serve Harbor', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-hover-nginx-'));
    const client = new TestLspClient({ workspace, pull: true });
    try {
      await client.initialize();
      const uri = client.open(join(workspace, 'site.conf'), 'server {\n    listen 80;\n    client_max_body_size 10m;\n    root /var/www;\n}\n');
      const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 8 } });
      assert.equal(hover, null);
    } finally {
      await client.shutdown();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
