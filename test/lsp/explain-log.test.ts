/**
 * Explain a log in the editor, over the language server as any LSP client
 * sees it: the "Explain Log" command (log text in, markdown with links to the
 * config lines that cause it out, secrets masked) and information diagnostics
 * on the signature lines of log documents, related to the config findings in
 * the workspace that explain them. A log is never read as a config.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { MAX_EDITOR_LOG_LINES } from '../../server/src/core/logs/document';
import type { ExplainLogResult } from '../../server/src/lsp/explainLog';
import { repoRoot } from '../helpers/fixtures';
import { TestLspClient } from '../helpers/lspClient';

const cases = join(repoRoot, 'test', 'logs', 'cases');
const uriOf = (path: string) => pathToFileURL(path).toString();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Explain Log command (workspace/executeCommand harborAudit.explainLogText)', () => {
  let workspace: string;
  let client: TestLspClient;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-explain-'));
    cpSync(join(cases, 'access-log-upload-401', 'configs'), join(workspace, 'proxy'), { recursive: true });
    client = new TestLspClient({ workspace, pull: true });
    const init = (await client.initialize()) as { capabilities: { executeCommandProvider: { commands: string[] } } };
    assert.ok(init.capabilities.executeCommandProvider.commands.includes('harborAudit.explainLogText'));
  });
  after(async () => {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  });

  const explain = (params: unknown) => client.connection.sendRequest('workspace/executeCommand', { command: 'harborAudit.explainLogText', arguments: [params] }) as Promise<ExplainLogResult>;

  it('a selected access log: markdown that links the broken upload to the location hiding X-Forwarded-Proto, secrets masked', async () => {
    const secretLine = 'Error response from daemon: login attempt to https://robot$ci:S3cretRobotPw@harbor.example.com/v2/ failed with status: 401 Unauthorized';
    const selection = readFileSync(join(cases, 'access-log-upload-401', 'access.log'), 'utf8') + secretLine + '\n';
    const log = join(workspace, 'logs', 'access.log');
    const result = await explain({ text: selection, uri: uriOf(log), firstLine: 5 });
    assert.equal(result.incidents, 2, result.markdown);
    const nginx = join(workspace, 'proxy', 'nginx.conf');
    // The cause: the `location /v2/ {` line (19) of the proxy config, as a file: link to that line.
    const causeLine = result.markdown.split('\n').find((line) => line.includes('**proxy-forwarded-proto**'));
    assert.ok(causeLine, result.markdown);
    assert.match(causeLine, new RegExp(`^1\\. \\[proxy/nginx\\.conf:19\\]\\(${escape(uriOf(nginx))}#L19\\): \\*\\*proxy-forwarded-proto\\*\\*`));
    // The log lines, numbered from the selection's first line (5): the token, POST and PUT of the broken push.
    assert.match(result.markdown, new RegExp(`\\[logs/access\\.log:14\\]\\(${escape(uriOf(log))}#L14\\)`));
    assert.match(result.markdown, /Read 11 lines of logs\/access\.log, lines 5–15\./);
    // The secret in the login line: masked in the excerpt, never echoed.
    assert.ok(!result.markdown.includes('S3cretRobotPw'), result.markdown);
    assert.ok(!JSON.stringify(result).includes('S3cretRobotPw'));
    assert.match(result.markdown, /robot\$ci:\*\*\*@harbor\.example\.com/);
  });

  it('clipboard text without a document: plain line names, and "nothing recognised" for noise', async () => {
    const result = await explain({ text: 'x509: certificate signed by unknown authority\n', name: 'clipboard' });
    assert.equal(result.incidents, 1);
    assert.match(result.markdown, /seen at clipboard:1\./);
    const nothing = await explain('all good here\nerror: none of this is Harbor\n');
    assert.equal(nothing.incidents, 0);
    assert.match(nothing.markdown, /Nothing recognised/);
  });

  it('bad arguments are an error answer, not a crash', async () => {
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'harborAudit.explainLogText', arguments: [] }), /needs the log text/);
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'harborAudit.explainLogText', arguments: [{ text: 42 }] }), /needs the log text/);
    assert.equal((await explain({ text: 'x509: certificate signed by unknown authority', uri: 'not a uri', firstLine: -3 })).incidents, 1);
  });
});

describe('log documents: information diagnostics on signature lines', () => {
  let workspace: string;
  let client: TestLspClient;
  const composeLog = readFileSync(join(cases, 'compose-untrusted-key', 'compose.log'), 'utf8');
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-logs-'));
    // Two installer nodes whose private_key.pem differ: token-key-differs-between-nodes fires on their harbor.yml.
    cpSync(join(cases, 'compose-untrusted-key', 'configs'), workspace, { recursive: true });
    mkdirSync(join(workspace, 'logs'));
    client = new TestLspClient({ workspace, pull: true });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  });

  function assertUntrustedKey(diagnostics: Diagnostic[]): Diagnostic {
    const found = diagnostics.filter((d) => d.code === 'untrusted-token-key');
    assert.equal(found.length, 1, JSON.stringify(diagnostics));
    const diagnostic = found[0];
    const message = String(diagnostic.message);
    assert.equal(diagnostic.range.start.line, 1, 'the registry line with the key ID');
    assert.equal(diagnostic.severity, 3, 'Information');
    assert.ok(message.length <= 160 && !message.includes('\n'), message);
    assert.match(message, /^Nodes behind this address sign tokens with different keys/);
    assert.match(message, /likely token-key-differs-between-nodes at harbor\.yml:\d+$/);
    assert.match(diagnostic.codeDescription?.href ?? '', /log-signatures\.md#untrusted-token-key$/);
    const related = diagnostic.relatedInformation ?? [];
    const cause = related.find((r) => r.message.startsWith('token-key-differs-between-nodes: '));
    assert.ok(cause, JSON.stringify(related));
    assert.ok([uriOf(join(workspace, 'node-a', 'harbor.yml')), uriOf(join(workspace, 'node-b', 'harbor.yml'))].includes(cause.location.uri), cause.location.uri);
    // The key ID in the line is node-b's key: the related information names that file.
    assert.ok(related.some((r) => r.location.uri === uriOf(join(workspace, 'node-b', 'common', 'config', 'core', 'private_key.pem')) && /is the private-key/.test(r.message)), JSON.stringify(related));
    return diagnostic;
  }

  it('a docker compose log (*.log) with the untrusted-key line: related to the finding that explains it', async () => {
    const uri = client.open(join(workspace, 'logs', 'compose.log'), composeLog, 'log');
    const diagnostics = await client.pull(uri);
    assertUntrustedKey(diagnostics);
    assert.ok(diagnostics.every((d) => d.severity === 3 && d.source === 'harbor-audit'), JSON.stringify(diagnostics));
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 20 } })) as { contents: { value: string } } | null;
    assert.ok(hover, 'a hover on the signature line');
    assert.match(hover.contents.value, /root certificate bundle/, 'the explanation');
    assert.match(hover.contents.value, /\[node-[ab]\/harbor\.yml:\d+\]\(file:\/\/[^)]+#L\d+\): \*\*token-key-differs-between-nodes\*\*/);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } })) as unknown[];
    assert.deepEqual(actions, [], 'no fixes or suppression comments in a log');
    assert.ok(client.statuses.some((s) => s.uri === uri && s.kind === 'log'));
  });

  it('harborAudit.rules applies to log lines by signature id: off hides them, a severity replaces information', async () => {
    try {
      client.configuration = { rules: { 'untrusted-token-key': 'warning' } };
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      const uri = client.open(join(workspace, 'logs', 'settings.log'), composeLog, 'log');
      const raised = (await client.pull(uri)).filter((d) => d.code === 'untrusted-token-key');
      assert.ok(raised.length > 0 && raised.every((d) => d.severity === 2), JSON.stringify(raised));
      client.configuration = { rules: { 'untrusted-token-key': 'off' } };
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.deepEqual((await client.pull(uri)).filter((d) => d.code === 'untrusted-token-key'), []);
    } finally {
      client.configuration = {};
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    }
  });

  it('recognised by content under another name: the same diagnostic', async () => {
    const uri = client.open(join(workspace, 'logs', 'registry-output.txt'), composeLog, 'plaintext');
    assertUntrustedKey(await client.pull(uri));
  });

  it('_fp: a text file that only says "error" is not a log and gets nothing', async () => {
    const uri = client.open(join(workspace, 'notes.txt'), 'error: the build failed\nERROR 42 on node-b\nthere was an error | see above\n', 'plaintext');
    assert.deepEqual(await client.pull(uri), []);
    assert.ok(!client.statuses.some((s) => s.uri === uri && s.kind === 'log'));
  });

  it('a log never gets config rules: script lines in a *.log are quoted output, not a script', async () => {
    const script = readFileSync(join(repoRoot, 'test', 'fixtures', 'docker-login-password', 'login.sh'), 'utf8');
    const asScript = await client.pull(client.open(join(workspace, 'ci.sh'), script, 'shellscript'));
    assert.ok(asScript.some((d) => d.code === 'docker-login-password'), 'the same text as a script is checked');
    assert.deepEqual(await client.pull(client.open(join(workspace, 'logs', 'ci.log'), script, 'log')), []);
  });

  it('a large log is read up to the limit, and says where it stopped', async () => {
    const lines = Array.from({ length: MAX_EDITOR_LOG_LINES }, (_, i) => `core | 2025-10-29T15:38:26Z [INFO] [/a.go:1]: request ${i}`);
    lines.push('x509: certificate signed by unknown authority', 'x509: certificate signed by unknown authority');
    lines[10] = 'x509: certificate signed by unknown authority';
    const uri = client.open(join(workspace, 'logs', 'big.log'), lines.join('\n') + '\n', 'log');
    const diagnostics = await client.pull(uri);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['x509-unknown-authority', 10],
        ['log-lines-not-read', MAX_EDITOR_LOG_LINES],
      ],
    );
    assert.match(String(diagnostics[1].message), /first 100,000 lines/);
  });

  it('startup errors: each signature\'s own docs section (even where it shares a rule\'s id), and no secret of the log in what the server says', async () => {
    const uri = client.open(join(workspace, 'logs', 'startup.log'), readFileSync(join(cases, 'startup-secrets', 'compose.log'), 'utf8'), 'log');
    const diagnostics = await client.pull(uri);
    const csrf = diagnostics.find((d) => d.code === 'csrf-key-length');
    assert.ok(csrf, JSON.stringify(diagnostics));
    assert.match(csrf.codeDescription?.href ?? '', /\/docs\/log-signatures\.md#csrf-key-length$/);
    const hovers = await Promise.all(
      diagnostics.map((d) => client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: d.range.start }) as Promise<{ contents: { value: string } } | null>),
    );
    const said = JSON.stringify(diagnostics) + JSON.stringify(hovers);
    for (const secret of ['Wl4nTq8sRk2', 'Sup3rS3cretPw', 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', 'Hunter2Hunter2']) assert.ok(!said.includes(secret), secret);
    // The rule of the same id, in a config, keeps its rule page.
    const values = join(repoRoot, 'test', 'fixtures', 'csrf-key-length', 'values-short.yaml');
    const rule = (await client.pull(client.open(join(workspace, 'values.yaml'), readFileSync(values, 'utf8')))).find((d) => d.code === 'csrf-key-length');
    assert.match(rule?.codeDescription?.href ?? '', /\/docs\/rules\/csrf-key-length\.md$/);
  });

  it('an edited config is taken up by the open log', async () => {
    const uri = client.open(join(workspace, 'logs', 'again.log'), composeLog, 'log');
    assertUntrustedKey(await client.pull(uri));
    // node-b gets node-a's key: the nodes agree, so nothing in the workspace explains the line any more.
    writeFileSync(join(workspace, 'node-b', 'common', 'config', 'core', 'private_key.pem'), readFileSync(join(workspace, 'node-a', 'common', 'config', 'core', 'private_key.pem')));
    writeFileSync(join(workspace, 'node-b', 'common', 'config', 'registry', 'root.crt'), readFileSync(join(workspace, 'node-a', 'common', 'config', 'registry', 'root.crt')));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(join(workspace, 'node-b', 'common', 'config', 'core', 'private_key.pem')), type: 2 }],
    });
    const after = (await client.pull(uri)).find((d) => d.code === 'untrusted-token-key');
    assert.ok(after);
    assert.ok(!(after.relatedInformation ?? []).some((r) => r.message.startsWith('token-key-differs-between-nodes')), JSON.stringify(after.relatedInformation));
  });
});

describe('log documents in a client without pull diagnostics (Neovim)', () => {
  let workspace: string;
  let client: TestLspClient;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-logs-push-'));
    cpSync(join(cases, 'compose-untrusted-key', 'configs'), workspace, { recursive: true });
    writeFileSync(join(workspace, '.harbor-audit.yaml'), 'ignore:\n  - archive/**\n');
    client = new TestLspClient({ workspace, pull: false });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('pushes the information diagnostic with its related finding', async () => {
    const uri = client.open(join(workspace, 'compose.log'), readFileSync(join(cases, 'compose-untrusted-key', 'compose.log'), 'utf8'), 'log');
    const diagnostics = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'untrusted-token-key'));
    const untrusted = diagnostics.find((d) => d.code === 'untrusted-token-key')!;
    assert.ok((untrusted.relatedInformation ?? []).some((r) => r.message.startsWith('token-key-differs-between-nodes: ')), JSON.stringify(untrusted));
  });

  it('a log the settings ignore gets nothing', async () => {
    const uri = client.open(join(workspace, 'archive', 'old.log'), readFileSync(join(cases, 'compose-untrusted-key', 'compose.log'), 'utf8'), 'log');
    assert.deepEqual(await client.waitForDiagnostics(uri), []);
  });
});
