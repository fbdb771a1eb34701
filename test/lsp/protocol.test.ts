/** The language server over stdio, as an editor sees it: diagnostics, code actions, suppression, settings, re-checks. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestLspClient } from '../helpers/lspClient';
import { FRONT_PROXY_NO_LIMIT, positionOf, VALUES_DEFAULT_PASSWORD } from '../helpers/samples';

const DEFAULT_PASSWORD_VALUES = VALUES_DEFAULT_PASSWORD;
const FRONT_PROXY = FRONT_PROXY_NO_LIMIT;
const PASSWORD_AT = positionOf(DEFAULT_PASSWORD_VALUES, 'Harbor12345');

function applyTextEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'yaml', 1, text), edits);
}

const ids = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code);

describe('language server over stdio', () => {
  let workspace: string;
  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-lsp-'));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  describe('pull diagnostics', () => {
    let client: TestLspClient;
    before(async () => {
      client = new TestLspClient({ workspace, pull: true });
      const result = (await client.initialize()) as { capabilities: Record<string, unknown> };
      assert.ok(result.capabilities.diagnosticProvider, 'server announces pull diagnostics');
    });
    after(() => client.shutdown());

    it('reports the default admin password with rule id, catalog id, range and a docs link that exists', async () => {
      const uri = client.open(join(workspace, 'values.yaml'), DEFAULT_PASSWORD_VALUES);
      const diagnostics = await client.pull(uri);
      assert.deepEqual(ids(diagnostics), ['default-admin-password']);
      const [diagnostic] = diagnostics;
      assert.equal(diagnostic.severity, 2);
      assert.equal(diagnostic.source, 'harbor-audit');
      assert.match(String(diagnostic.message), /published default.*\[HB-ADMIN-PW\]$/s);
      assert.deepEqual(diagnostic.range, { start: PASSWORD_AT, end: { line: PASSWORD_AT.line, character: PASSWORD_AT.character + 'Harbor12345'.length } });
      assert.ok(existsSync(fileURLToPath(diagnostic.codeDescription!.href)), diagnostic.codeDescription!.href);
    });

    it('hovering a finding shows its detail first, with the rule docs link', async () => {
      const uri = client.open(join(workspace, 'values-hover.yaml'), DEFAULT_PASSWORD_VALUES);
      const [diagnostic] = await client.pull(uri);
      const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: PASSWORD_AT.line, character: PASSWORD_AT.character + 2 } })) as {
        contents: { kind: string; value: string };
        range: Diagnostic['range'];
      };
      assert.equal(hover.contents.kind, 'markdown');
      assert.ok(hover.contents.value.startsWith('**default-admin-password** (HB-ADMIN-PW)'), hover.contents.value);
      assert.ok(hover.contents.value.includes(`[docs](${diagnostic.codeDescription!.href})`));
      assert.match(hover.contents.value, /Create the Secret first, with key HARBOR_ADMIN_PASSWORD/, 'the fix note is part of the detail');
      assert.deepEqual(hover.range, diagnostic.range);
      assert.ok(String(diagnostic.message).length <= 160 + ' [HB-ADMIN-PW]'.length, String(diagnostic.message));
    });

    it('offers the fix, disable for line, disable for file and documentation; the fix removes the finding', async () => {
      const uri = client.open(join(workspace, 'values-actions.yaml'), DEFAULT_PASSWORD_VALUES);
      const diagnostics = await client.pull(uri);
      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostics[0].range,
        context: { diagnostics },
      })) as CodeAction[];
      const titles = actions.map((a) => a.title);
      assert.deepEqual(titles, [
        '(unsafe) Read the admin password from Secret "harbor-admin-password"',
        'Disable default-admin-password for this line',
        'Disable default-admin-password for this file',
        'Show documentation for default-admin-password',
      ]);
      assert.equal(actions[0].isPreferred, undefined, 'an unsafe fix is not preferred');
      const fixed = applyTextEdits(DEFAULT_PASSWORD_VALUES, actions[0].edit!.changes![uri]);
      assert.equal(fixed, DEFAULT_PASSWORD_VALUES.replace('harborAdminPassword: Harbor12345', 'existingSecretAdminPassword: harbor-admin-password'));
      client.change(uri, fixed);
      assert.deepEqual(ids(await client.pull(uri)), []);

      const disabledLine = applyTextEdits(DEFAULT_PASSWORD_VALUES, actions[1].edit!.changes![uri]);
      assert.equal(disabledLine, DEFAULT_PASSWORD_VALUES.replace('harborAdminPassword', '# harbor-audit-disable-next-line default-admin-password -- reason\nharborAdminPassword'));
      client.change(uri, disabledLine);
      assert.deepEqual(ids(await client.pull(uri)), []);

      const disabledFile = applyTextEdits(DEFAULT_PASSWORD_VALUES, actions[2].edit!.changes![uri]);
      assert.ok(disabledFile.startsWith('# harbor-audit-disable-file default-admin-password -- reason\n'));
      client.change(uri, disabledFile);
      assert.deepEqual(ids(await client.pull(uri)), []);

      const docs = (await client.connection.sendRequest('workspace/executeCommand', { command: actions[3].command!.command, arguments: actions[3].command!.arguments })) as { shown: boolean };
      assert.equal(docs.shown, true);
      assert.match(client.shownDocuments.at(-1)!, /docs\/rules\/default-admin-password\.md$/);
    });

    it('merges "disable for this line" into a suppression comment already above the line', async () => {
      const text = FRONT_PROXY.replace('server {', '# harbor-audit-disable-next-line nginx-syntax -- generated\nserver {');
      const uri = client.open(join(workspace, 'merge.conf'), text);
      const diagnostics = await client.pull(uri);
      assert.deepEqual(ids(diagnostics), ['proxy-body-size']);
      const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } })) as CodeAction[];
      const disable = actions.find((a) => a.title === 'Disable proxy-body-size for this line')!;
      const merged = applyTextEdits(text, disable.edit!.changes![uri]);
      assert.ok(merged.startsWith('# harbor-audit-disable-next-line nginx-syntax, proxy-body-size -- generated\nserver {'), merged);
      client.change(uri, merged);
      assert.deepEqual(ids(await client.pull(uri)), []);
    });

    it('fix-all applies only safe fixes', async () => {
      const uri = client.open(join(workspace, 'fixall.conf'), FRONT_PROXY);
      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll'] },
      })) as CodeAction[];
      assert.deepEqual(actions.map((a) => a.kind), ['source.fixAll.harborAudit']);
      const fixed = applyTextEdits(FRONT_PROXY, actions[0].edit!.changes![uri]);
      assert.match(fixed, /server \{\n    client_max_body_size 0;\n    listen 80;/);
      client.change(uri, fixed);
      assert.deepEqual(ids(await client.pull(uri)), []);

      const valuesUri = client.open(join(workspace, 'fixall-values.yaml'), DEFAULT_PASSWORD_VALUES);
      const none = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: valuesUri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll'] },
      })) as CodeAction[];
      assert.deepEqual(none, [], 'the only fix there is unsafe, so fix-all offers nothing');
    });

    it('answers "unchanged" to a pull with the previous result id after typing in a comment, and the full list after a real edit', async () => {
      const text = `# notes: \n${DEFAULT_PASSWORD_VALUES}`;
      const uri = client.open(join(workspace, 'typed-values.yaml'), text);
      const first = await client.pullReport(uri);
      assert.equal(first.kind, 'full');
      assert.ok(first.resultId);
      let version = 1;
      const type = (at: { line: number; character: number }, typed: string) =>
        void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: at, end: at }, text: typed }] });
      type({ line: 0, character: 9 }, 'x');
      const second = await client.pullReport(uri, first.resultId);
      assert.deepEqual(second, { kind: 'unchanged', resultId: first.resultId });
      // Without a previous id (or with another), the whole list, where the findings are.
      const full = await client.pullReport(uri);
      assert.equal(full.kind, 'full');
      assert.deepEqual(full.kind === 'full' && ids(full.items), ['default-admin-password']);
      // A line of YAML above the password moves the finding: a full report.
      type({ line: 1, character: 0 }, 'extra: 1\n');
      const third = await client.pullReport(uri, first.resultId);
      assert.equal(third.kind, 'full');
      assert.notEqual(third.resultId, first.resultId);
      assert.equal(third.kind === 'full' && third.items.find((d) => d.code === 'default-admin-password')?.range.start.line, PASSWORD_AT.line + 2);
    });

    it('reports what the file was recognised as', async () => {
      const uri = client.open(join(workspace, 'playbook.yml'), '- hosts: all\n  vars:\n    harbor_admin_password: Harbor12345\n');
      assert.deepEqual(await client.pull(uri), []);
      const status = client.statuses.filter((s) => s.uri === uri).at(-1);
      assert.equal(status?.kind, 'not-harbor');
    });
  });

  describe('push diagnostics for clients without pull (Neovim < 0.10 and others)', () => {
    let client: TestLspClient;
    before(async () => {
      client = new TestLspClient({ workspace, pull: false });
      await client.initialize();
    });
    after(() => client.shutdown());

    it('publishes on open and again after a change', async () => {
      const uri = client.open(join(workspace, 'push.yaml'), DEFAULT_PASSWORD_VALUES);
      assert.deepEqual(ids(await client.waitForDiagnostics(uri, (d) => d.length > 0)), ['default-admin-password']);
      client.change(uri, DEFAULT_PASSWORD_VALUES.replace('Harbor12345', 'Xq7pLm2vRt9wKz3n'));
      assert.deepEqual(await client.waitForDiagnostics(uri, (d) => d.length === 0), []);
    });

    it('checks a document again when a file it includes changes on disk', async () => {
      const dir = join(workspace, 'includes');
      mkdirSync(dir, { recursive: true });
      const included = join(dir, 'limits.conf');
      writeFileSync(included, 'client_max_body_size 0;\n');
      const text = FRONT_PROXY.replace('server_name harbor.example.com;', 'server_name harbor.example.com;\n    include limits.conf;');
      const uri = client.open(join(dir, 'nginx.conf'), text);
      assert.deepEqual(await client.waitForDiagnostics(uri, () => true), []);
      writeFileSync(included, 'client_max_body_size 10m;\n');
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(included).toString(), type: 2 }] });
      const diagnostics = await client.waitForDiagnostics(uri, (d) => d.length > 0);
      assert.deepEqual(ids(diagnostics), ['proxy-body-size']);
      assert.equal(diagnostics[0].relatedInformation?.[0].location.uri, pathToFileURL(included).toString());
    });

    it('survives hostile documents and keeps answering', async () => {
      const deep = '{'.repeat(20000);
      const uri1 = client.open(join(workspace, 'deep.conf'), `server { listen 80; server_name harbor.x; location / { proxy_pass http://harbor; ${deep}`);
      const uri2 = client.open(join(workspace, 'quote.conf'), 'server { server_name "harbor;\n location / { proxy_pass http://harbor; }\n');
      const uri3 = client.open(join(workspace, 'zero.conf'), `${FRONT_PROXY.replace('listen 80;', 'listen 80;\n    include /dev/zero;')}`);
      const uri4 = client.open(join(workspace, 'huge.yaml'), `expose:\n  type: ingress\nexternalURL: https://h\n${'x'.repeat(9 * 1024 * 1024)}`);
      for (const uri of [uri1, uri2, uri3, uri4]) await client.waitForDiagnostics(uri, () => true, 20000);
      assert.ok(ids(client.published.get(uri3)!.diagnostics).includes('nginx-include'));
      assert.deepEqual(ids(client.published.get(uri4)!.diagnostics), ['input-too-large']);
      const uri5 = client.open(join(workspace, 'after.yaml'), DEFAULT_PASSWORD_VALUES);
      assert.deepEqual(ids(await client.waitForDiagnostics(uri5, (d) => d.length > 0)), ['default-admin-password']);
    });
  });

  describe('settings', () => {
    it('takes severities from harborAudit.rules, over .harbor-audit.yaml', async () => {
      const root = mkdtempSync(join(tmpdir(), 'harbor-audit-settings-'));
      writeFileSync(join(root, '.harbor-audit.yaml'), 'rules:\n  default-admin-password: error\n  HB-PROXY-BODY-SIZE: "off"\n');
      const client = new TestLspClient({ workspace: root, pull: true, configuration: { rules: {} } });
      try {
        await client.initialize();
        const values = client.open(join(root, 'values.yaml'), DEFAULT_PASSWORD_VALUES);
        const nginx = client.open(join(root, 'nginx.conf'), FRONT_PROXY);
        const [diagnostic] = await client.pull(values);
        assert.equal(diagnostic.severity, 1, '.harbor-audit.yaml raised it to error');
        assert.deepEqual(await client.pull(nginx), [], 'turned off by catalog id');

        client.configuration = { rules: { 'default-admin-password': 'off' } };
        await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
        assert.deepEqual(await client.pull(values), [], 'the editor setting wins');
      } finally {
        await client.shutdown();
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
});

describe('hover', () => {
  it('explains a credential key without showing its value', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-hover-'));
    const client = new TestLspClient({ workspace, pull: true });
    try {
      await client.initialize();
      const uri = client.open(join(workspace, 'values-hover.yaml'), 'expose:\n  type: ingress\nexternalURL: https://h.example.com\nsecretKey: abcdefgh12345678\ncore:\n  tokenKey: ""\n');
      const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 3 } })) as { contents: { kind: string; value: string }; range: unknown };
      assert.equal(hover.contents.kind, 'markdown');
      assert.match(hover.contents.value, /must never change/);
      assert.doesNotMatch(hover.contents.value, /abcdefgh12345678/);
      assert.deepEqual(hover.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 9 } });
      const nested = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 4 } })) as { contents: { value: string } };
      assert.match(nested.contents.value, /genCA/);
      // Every other key: the key model's description, default and version (see keys-completion.test.ts).
      const plain = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } })) as { contents: { value: string } };
      assert.match(plain.contents.value, /\*\*`expose\.type`\*\*/);
      const none = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 10 } });
      assert.equal(none, null);
    } finally {
      await client.shutdown();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
