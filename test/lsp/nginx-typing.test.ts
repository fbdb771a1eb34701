/**
 * Typing into values of a large nginx.conf over stdio (issue 11 item 8): the
 * server re-checks only the edited server block, and what the editor ends up
 * with is what a fresh open of the final text gets, also after an included
 * file changes on disk.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { generateNginx } from '../../bench/generate';
import { TestLspClient } from '../helpers/lspClient';

describe('typing into values of a large nginx.conf', () => {
  let workspace: string;
  let client: TestLspClient;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-nginx-typing-'));
    client = new TestLspClient({ workspace, pull: true });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('gets the diagnostics a fresh open of the final text gets', async () => {
    const included = join(workspace, 'proxy.conf');
    writeFileSync(included, '# nothing yet\n');
    const path = join(workspace, 'nginx.conf');
    let text = generateNginx(3000).replace('http {\n', 'http {\n    include proxy.conf;\n');
    const uri = client.open(path, text);
    let version = 1;
    let shown: Diagnostic[] = [];
    let resultId: string | undefined;
    let unchanged = 0;
    const pull = async () => {
      const report = await client.pullReport(uri, resultId);
      resultId = report.resultId;
      if (report.kind === 'full') shown = report.items;
      else unchanged++;
    };
    const type = (at: number, typed: string, removed = 0) => {
      const lines = text.slice(0, at).split('\n');
      const start = { line: lines.length - 1, character: lines[lines.length - 1].length };
      const endLines = text.slice(0, at + removed).split('\n');
      const end = { line: endLines.length - 1, character: endLines[endLines.length - 1].length };
      text = text.slice(0, at) + typed + text.slice(at + removed);
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start, end }, text: typed }] });
    };
    const fresh = async () => {
      const other = client.open(join(workspace, 'fresh.conf'), text);
      const items = await client.pull(other);
      void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: other } });
      // Beside it (includes resolve the same): the same findings at the same places; related places name the document they are in.
      return items.map((d) => ({ ...d, relatedInformation: d.relatedInformation?.map((r) => ({ ...r, location: { ...r.location, uri: r.location.uri.replace(/fresh\.conf$/, 'nginx.conf') } })) }));
    };
    await pull();
    const initial = shown.length;
    assert.ok(initial > 600, `${initial} diagnostics`);

    // A proxy_pass target of the first server: no diagnostic changes, so the pulls answer "unchanged".
    const target = text.indexOf('http://harbor0;') + 'http://harbor0'.length;
    for (let i = 0; i < 5; i++) {
      type(target + i, 'x');
      await pull();
    }
    assert.equal(unchanged, 5);
    assert.deepEqual(shown, await fresh());

    // A timeout in the second server drops under Harbor's 900 s: a new finding there, the others kept.
    const timeout = text.indexOf('proxy_read_timeout 900;', text.indexOf('harbor1.example.com'));
    type(timeout + 'proxy_read_timeout 90'.length, '', 1);
    await pull();
    assert.equal(shown.length, initial + 1);
    assert.ok(shown.some((d) => d.code === 'proxy-timeouts' && /proxy_read_timeout 90 /.test(String(d.message))));
    assert.deepEqual(shown, await fresh());

    // The included file changes on disk: every server's findings follow it, and typing goes on from there.
    writeFileSync(included, 'proxy_request_buffering off;\nproxy_http_version 1.1;\nproxy_send_timeout 900;\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(included).toString(), type: 2 }] });
    await pull();
    assert.ok(shown.length < initial - 300, `${shown.length} diagnostics once proxy.conf streams uploads`);
    type(text.indexOf('http://harbor2;') + 'http://harbor2'.length, 'y');
    await pull();
    assert.deepEqual(shown, await fresh());
  });
});
