/**
 * The VS Code side: starts the language server, tells it whether the workspace
 * is trusted, shows the server's state and what the active file was
 * recognised as, and drives the workspace audit. Diagnostics, fixes and the
 * key commands' results come from the server.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
// Types only: erased from the bundle. The language client is loaded after activation (see start()),
// and the client never loads the server.
import type { LanguageClient } from 'vscode-languageclient/node';
import type * as LanguageClientModule from './languageClient';
import type { AuditWorkspaceResult } from '../../server/src/lsp/server';
import type { ExplainLogParams, ExplainLogResult } from '../../server/src/lsp/explainLog';

interface StatusParams {
  uri: string;
  kind: string;
  reason: string;
  detail?: string;
}

const KIND_LABEL: Record<string, string> = {
  'helm-values': 'Harbor Helm values',
  'harbor-yml': 'harbor.yml',
  'harbor-cfg': 'harbor.cfg (1.x)',
  nginx: 'nginx for Harbor',
  'kubernetes-tls-secret': 'Kubernetes TLS Secret',
  'not-harbor': 'not a Harbor config',
  log: 'Harbor log',
};

/**
 * What goes to the server. Content decides what is a Harbor config, so this
 * is wide: every YAML and nginx file, files named like configs or templates
 * of them, anything under an nginx folder, the kinds of file that carry
 * Harbor settings in scripts and CI, and logs (`*.log`, and plain text, which
 * the server explains when its content is log output: a pasted
 * `kubectl logs` in an untitled editor).
 */
const LANGUAGES = ['yaml', 'nginx', 'shellscript', 'makefile', 'groovy', 'python', 'powershell', 'log', 'plaintext'];
const PATTERNS = [
  '**/harbor.cfg',
  '**/*.{conf,j2,tpl,tmpl,log}',
  '**/sites-available/**',
  '**/sites-enabled/**',
  '**/nginx/**',
  '**/conf.d/**',
  '**/Jenkinsfile',
];
export const DOCUMENT_SELECTOR = [
  ...LANGUAGES.map((language) => ({ scheme: 'file', language })),
  ...PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
  ...LANGUAGES.map((language) => ({ scheme: 'untitled', language })),
];

const AUDIT_COMMAND = 'harborAudit.auditWorkspace';
const RESTART_COMMAND = 'harborAudit.restartServer';
const OUTPUT_COMMAND = 'harborAudit.showOutput';
const CANCEL_AUDIT_COMMAND = 'harborAudit.cancelAudit';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  // One channel for the whole session: the server's log survives a restart.
  output = vscode.window.createOutputChannel('Harbor Audit', { log: true });
  context.subscriptions.push(output);
  const status = vscode.languages.createLanguageStatusItem('harborAudit.kind', DOCUMENT_SELECTOR);
  status.name = 'Harbor Audit: file kind';
  status.text = 'Harbor: checking…';
  status.command = { title: 'Audit Workspace', command: AUDIT_COMMAND };
  context.subscriptions.push(status);
  const serverStatus = vscode.languages.createLanguageStatusItem('harborAudit.server', DOCUMENT_SELECTOR);
  serverStatus.name = 'Harbor Audit: server';
  serverStatus.text = 'Harbor server: starting';
  serverStatus.command = { title: 'Show Output', command: OUTPUT_COMMAND };
  context.subscriptions.push(serverStatus);
  const statusByUri = new Map<string, StatusParams>();
  const showStatus = () => {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const current = uri ? statusByUri.get(uri) : undefined;
    status.text = current ? `Harbor: ${KIND_LABEL[current.kind] ?? current.kind}` : 'Harbor: checking…';
    status.detail = current?.reason;
  };

  const audit = new WorkspaceAudit();
  context.subscriptions.push(audit);
  const start = async () => {
    // A separate bundle, required here rather than imported: activation does not pay for loading it.
    const { createClient, serverState } = require('./languageClient.js') as typeof LanguageClientModule;
    client = createClient(context, { output, documentSelector: DOCUMENT_SELECTOR, showRuleDocs: (ruleId) => showRuleDocs(context, ruleId), docsCommandUri });
    client.onDidChangeState(({ newState }) => {
      const state = serverState(newState);
      serverStatus.text = `Harbor server: ${state}`;
      serverStatus.severity = state === 'stopped' ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    });
    client.onNotification('harborAudit/status', (params: StatusParams) => {
      statusByUri.set(params.uri, params);
      showStatus();
    });
    client.onNotification('harborAudit/auditProgress', (params: { done: number; total: number }) => audit.progress(params.done, params.total));
    await client.start();
  };
  const restart = async () => {
    audit.cancel();
    statusByUri.clear();
    const previous = client;
    client = undefined;
    await previous?.stop().catch(() => undefined);
    await start();
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(showStatus));
  // Trust widens what the server may read (keys and includes outside the workspace): restart to apply it.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(restart));
  context.subscriptions.push(
    vscode.commands.registerCommand(RESTART_COMMAND, async () => {
      output.info('restarting the server');
      await restart();
      if (vscode.workspace.getConfiguration('harborAudit').get('run') === 'workspace') void audit.run(client, true);
    }),
    vscode.commands.registerCommand(OUTPUT_COMMAND, () => output.show(true)),
    vscode.commands.registerCommand(AUDIT_COMMAND, () => audit.run(client, false)),
    vscode.commands.registerCommand(CANCEL_AUDIT_COMMAND, () => audit.cancel()),
    vscode.commands.registerCommand(DOCS_COMMAND, (ruleId: unknown, page?: unknown) => showRuleDocs(context, String(ruleId), page)),
  );
  registerKeyCommands(context);
  registerExplainLog(context);
  // Activation ends here: the client is loaded, the server started and the automatic audit run on a
  // later turn of the event loop, so none of it counts against (or holds up) the extension host's activation.
  output.info(`activated in ${Date.now() - started} ms`);
  setImmediate(() => {
    void start().then(
      () => {
        if (vscode.workspace.getConfiguration('harborAudit').get('run') === 'workspace') void audit.run(client, true);
      },
      (error: unknown) => output.error(`the language server did not start: ${(error as Error)?.message ?? error}`),
    );
  });
}

/** The workspace audit as the user sees it: a status bar item with progress, a click cancels. */
class WorkspaceAudit implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('harborAudit.audit', vscode.StatusBarAlignment.Left);
  private source: vscode.CancellationTokenSource | undefined;

  constructor() {
    this.item.name = 'Harbor Audit: workspace audit';
    this.item.command = CANCEL_AUDIT_COMMAND;
    this.item.tooltip = 'Click to cancel the Harbor workspace audit';
  }

  async run(current: LanguageClient | undefined, automatic: boolean): Promise<AuditWorkspaceResult | undefined> {
    if (!current || !vscode.workspace.workspaceFolders?.length) return undefined;
    this.cancel();
    const source = (this.source = new vscode.CancellationTokenSource());
    this.item.text = '$(sync~spin) Harbor: auditing the workspace…';
    this.item.show();
    try {
      const result = (await current.sendRequest('harborAudit/auditWorkspace', { automatic }, source.token)) as AuditWorkspaceResult;
      if (!automatic && !result.skipped) {
        const summary = `Harbor: ${result.cancelled ? 'audit cancelled after' : 'audited'} ${result.checked} file${result.checked === 1 ? '' : 's'}: ${result.harborFiles} Harbor config${result.harborFiles === 1 ? '' : 's'}, ${result.findings} finding${result.findings === 1 ? '' : 's'}.`;
        void vscode.window.setStatusBarMessage(summary, 10_000);
      }
      return result;
    } catch (error) {
      if (!source.token.isCancellationRequested) output.error(`workspace audit failed: ${(error as Error)?.message ?? error}`);
      return undefined;
    } finally {
      if (this.source === source) {
        this.source = undefined;
        this.item.hide();
      }
      source.dispose();
    }
  }

  progress(done: number, total: number): void {
    if (this.source) this.item.text = `$(sync~spin) Harbor: auditing ${done}/${total}`;
  }

  cancel(): void {
    this.source?.cancel();
  }

  dispose(): void {
    this.cancel();
    this.item.dispose();
  }
}

/** The rule's page from the docs shipped in the package, rendered. */
const DOCS_COMMAND = 'harborAudit.openRuleDocs';

async function showRuleDocs(context: vscode.ExtensionContext, ruleId: string, page?: unknown): Promise<void> {
  if (!/^[a-z0-9-]+$/.test(ruleId)) return;
  // A log diagnostic's code is a log signature: all of them are on one page (some share a rule's id).
  const file = page === 'log' ? path.join('docs', 'log-signatures.md') : path.join('docs', 'rules', `${ruleId}.md`);
  const uri = vscode.Uri.file(context.asAbsolutePath(file));
  await preview(uri);
}

/** The Problems panel's rule link, as a command that opens the rendered page. */
function docsCommandUri(ruleId: string, page?: 'log'): vscode.Uri {
  return vscode.Uri.parse(`command:${DOCS_COMMAND}?${encodeURIComponent(JSON.stringify(page ? [ruleId, page] : [ruleId]))}`);
}

// Client-side ids: the server's own command ids are registered by the language client itself.
const COMPARE_COMMAND = 'harborAudit.keys.compare';
const FIND_COMMAND = 'harborAudit.keys.findById';

interface CompareResult {
  keyFile: string;
  certificateFile: string;
  match: boolean | null;
  reason: string;
  key: { type: string; bits?: number; keyId: string; thumbprint: string } | null;
  certificate: { subject: string; sans: string[]; notBefore: string; notAfter: string; keyId: string; thumbprint: string } | null;
  problems: string[];
}

interface FindResult {
  ids: string[];
  matches: { file: string; keyId: string; type: string }[];
  searched: number;
}

function registerKeyCommands(context: vscode.ExtensionContext): void {
  const keysOutput = vscode.window.createOutputChannel('Harbor Audit: keys');
  context.subscriptions.push(keysOutput);
  const pick = (title: string) =>
    vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Select', filters: { 'Keys and certificates': ['pem', 'crt', 'cer', 'key', 'der', 'p12', 'pfx'], 'All files': ['*'] } });

  context.subscriptions.push(
    vscode.commands.registerCommand(COMPARE_COMMAND, async (first?: vscode.Uri, second?: vscode.Uri) => {
      if (!client) return;
      let files = [first, second].filter((uri): uri is vscode.Uri => uri instanceof vscode.Uri);
      const active = vscode.window.activeTextEditor?.document.uri;
      if (files.length === 0 && active?.scheme === 'file') files = [active];
      while (files.length < 2) {
        const chosen = await pick(files.length === 0 ? 'Harbor: select the private key' : `Harbor: select the file to compare with ${path.basename(files[0].fsPath)}`);
        if (!chosen || chosen.length === 0) return;
        files.push(chosen[0]);
      }
      // The server tells key from certificate by content: try the pair both ways round.
      let result = (await client.sendRequest('workspace/executeCommand', { command: 'harborAudit.compareKeyAndCertificate', arguments: [files[0].toString(), files[1].toString()] })) as CompareResult;
      if (result.match === null && !result.key) {
        result = (await client.sendRequest('workspace/executeCommand', { command: 'harborAudit.compareKeyAndCertificate', arguments: [files[1].toString(), files[0].toString()] })) as CompareResult;
      }
      const verdict = result.match === true ? 'MATCH' : result.match === false ? 'MISMATCH' : 'NO VERDICT';
      const lines = [
        `# ${verdict}: key and certificate`,
        '',
        result.reason,
        '',
        '| | file | type | key ID | RFC 7638 thumbprint |',
        '|---|---|---|---|---|',
        `| key | ${vscode.workspace.asRelativePath(result.keyFile)} | ${result.key ? `${result.key.type}${result.key.bits ? ` ${result.key.bits}` : ''}` : '-'} | \`${result.key?.keyId ?? '-'}\` | \`${result.key?.thumbprint ?? '-'}\` |`,
        `| certificate | ${vscode.workspace.asRelativePath(result.certificateFile)} | | \`${result.certificate?.keyId ?? '-'}\` | \`${result.certificate?.thumbprint ?? '-'}\` |`,
      ];
      if (result.certificate) {
        lines.push('', `**Subject:** ${result.certificate.subject || '(empty)'}`, '', `**SANs:** ${result.certificate.sans.join(', ') || '(none)'}`, '', `**Valid:** ${result.certificate.notBefore} to ${result.certificate.notAfter}`);
      }
      for (const problem of result.problems) lines.push('', `- ${problem}`);
      await showMarkdown(lines.join('\n') + '\n');
      const message = `Harbor: ${verdict}: ${result.reason}`;
      if (result.match === true) vscode.window.showInformationMessage(message);
      else vscode.window.showWarningMessage(message);
    }),
    vscode.commands.registerCommand(FIND_COMMAND, async (query?: string) => {
      if (!client) return;
      const text =
        typeof query === 'string'
          ? query
          : await vscode.window.showInputBox({
              title: 'Harbor: Find Key by Key ID',
              prompt: 'Paste a key ID (ABCD:EFGH:...) or a log line such as: token signed by untrusted key with ID: "..."',
              ignoreFocusOut: true,
            });
      if (!text) return;
      const result = (await client.sendRequest('workspace/executeCommand', { command: 'harborAudit.findKeyById', arguments: [text] })) as FindResult;
      keysOutput.clear();
      if (result.ids.length === 0) {
        vscode.window.showWarningMessage('Harbor: no key ID found in that text (expected ABCD:EFGH:... or a 43-character RFC 7638 thumbprint).');
        return;
      }
      keysOutput.appendLine(`Key ID ${result.ids.join(' or ')}: ${result.matches.length} match(es) among ${result.searched} key and certificate file(s).`);
      for (const match of result.matches) keysOutput.appendLine(`${match.file}: ${match.type}`);
      keysOutput.show(true);
      if (result.matches.length === 0) vscode.window.showWarningMessage(`Harbor: no key or certificate in the workspace has key ID ${result.ids[0]}.`);
      else {
        const open = 'Open';
        const choice = await vscode.window.showInformationMessage(`Harbor: key ID ${result.ids[0]} is ${vscode.workspace.asRelativePath(result.matches[0].file)}${result.matches.length > 1 ? ` and ${result.matches.length - 1} more` : ''}.`, open);
        if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(result.matches[0].file));
      }
    }),
  );
}

const EXPLAIN_COMMAND = 'harborAudit.explainLog';
/** The server's command (the language client registers it under this id, so the palette command has its own). */
const EXPLAIN_SERVER_COMMAND = 'harborAudit.explainLogText';
/** A chosen file is read up to this size (the server reads as much); `harbor-audit explain --log` streams any length. */
const MAX_LOG_FILE_BYTES = 64 * 1024 * 1024;

type LogSource = { params: ExplainLogParams } | { problem: string };

/** Harbor: Explain Log… — the selection, or else the clipboard, the active file or a chosen file, explained in a rendered markdown report. */
/** Markdown rendered in the preview; its source where the preview is not available. */
async function preview(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, () => vscode.window.showTextDocument(uri));
}

/** A report without file links, rendered from an untitled document (its source when the preview is not there). */
async function showMarkdown(content: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await preview(doc.uri);
}

/**
 * A report whose links lead to workspace files, rendered. The markdown preview does not follow
 * `file:` links (markdown-it refuses the scheme), so the report is written to the extension's
 * storage and each link made relative to it; `#L5` still opens the file at its line.
 */
async function showLinkedReport(context: vscode.ExtensionContext, name: string, markdown: string): Promise<void> {
  const dir = context.storageUri ?? context.globalStorageUri;
  const file = vscode.Uri.joinPath(dir, name);
  const relative = markdown.replace(/\]\((file:\/\/[^)\s]+)\)/g, (_match, target: string) => {
    const uri = vscode.Uri.parse(target);
    const link = path.relative(path.dirname(file.fsPath), uri.fsPath).split(path.sep).map(encodeURIComponent).join('/');
    return `](${link}${uri.fragment ? `#${uri.fragment}` : ''})`;
  });
  try {
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(relative));
  } catch (error) {
    output.warn(`the report could not be written to ${file.fsPath} (${(error as Error)?.message ?? error}): shown without working links`);
    await showMarkdown(markdown);
    return;
  }
  await preview(file);
}

function registerExplainLog(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPLAIN_COMMAND, async () => {
      if (!client) return;
      const source = await chooseLog();
      if (!source) return;
      if ('problem' in source) {
        vscode.window.showWarningMessage(`Harbor: ${source.problem}`);
        return;
      }
      const current = client;
      let result: ExplainLogResult;
      try {
        result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Harbor: explaining the log and looking up its causes in the workspace…', cancellable: true },
          (_progress, token) => current.sendRequest('workspace/executeCommand', { command: EXPLAIN_SERVER_COMMAND, arguments: [source.params] }, token) as Promise<ExplainLogResult>,
        );
      } catch (error) {
        if (!(error instanceof Error && /cancel/i.test(error.message))) {
          output.error(`explain log failed: ${(error as Error)?.message ?? error}`);
          vscode.window.showErrorMessage('Harbor: the log could not be explained (see Harbor: Show Output).');
        }
        return;
      }
      await showLinkedReport(context, 'explain-log.md', result.markdown);
      const summary =
        result.incidents === 0
          ? `Harbor: nothing recognised in ${result.linesRead} line${result.linesRead === 1 ? '' : 's'}.`
          : `Harbor: ${result.incidents} known error${result.incidents === 1 ? '' : 's'} in the log, ${result.causes} likely cause${result.causes === 1 ? '' : 's'} in the workspace.`;
      void vscode.window.setStatusBarMessage(summary, 10_000);
    }),
  );
}

async function chooseLog(): Promise<LogSource | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor?.selection;
  if (editor && selection && !selection.isEmpty) {
    // Whole lines: an envelope or a time stamp at the start of a line tells its shape.
    const lastLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
    const range = new vscode.Range(selection.start.line, 0, lastLine, editor.document.lineAt(lastLine).text.length);
    return { params: { text: editor.document.getText(range), uri: editor.document.uri.toString(), firstLine: selection.start.line + 1 } };
  }
  type Item = vscode.QuickPickItem & { pick: () => Promise<LogSource | undefined> };
  const items: Item[] = [
    {
      label: '$(clippy) Clipboard',
      description: 'the log you copied',
      pick: async () => {
        const text = await vscode.env.clipboard.readText();
        return text.trim() === '' ? { problem: 'the clipboard holds no text.' } : { params: { text, name: 'clipboard' } };
      },
    },
  ];
  if (editor) {
    items.push({
      label: `$(file) ${path.basename(editor.document.uri.path) || 'Active editor'}`,
      description: 'the whole active editor',
      pick: async () => ({ params: { text: editor.document.getText(), uri: editor.document.uri.toString(), firstLine: 1 } }),
    });
  }
  items.push({
    label: '$(folder-opened) Choose a file…',
    description: 'a log on disk',
    pick: async () => {
      const chosen = await vscode.window.showOpenDialog({ title: 'Harbor: select the log to explain', canSelectMany: false, openLabel: 'Explain', filters: { Logs: ['log', 'txt', 'out'], 'All files': ['*'] } });
      return chosen?.[0] ? readLogFile(chosen[0]) : undefined;
    },
  });
  const picked = await vscode.window.showQuickPick(items, { title: 'Harbor: Explain Log', placeHolder: 'Nothing is selected: which log?' });
  return picked?.pick();
}

/** A log file's text: the first MAX_LOG_FILE_BYTES of a larger one (the report says where it stopped); binaries and folders are refused. */
async function readLogFile(uri: vscode.Uri): Promise<LogSource> {
  const name = vscode.workspace.asRelativePath(uri);
  let bytes: Uint8Array;
  let cut = false;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) return { problem: `${name} is a folder, not a log.` };
    // A FIFO or device would never end (or block): `harbor-audit explain --log` streams those.
    if (!(stat.type & vscode.FileType.File)) return { problem: `${name} is not a regular file: run harbor-audit explain --log on it.` };
    if (stat.size > MAX_LOG_FILE_BYTES) {
      if (uri.scheme !== 'file') return { problem: `${name} is larger than 64 MB: run harbor-audit explain --log on it.` };
      const handle = await fs.open(uri.fsPath, 'r');
      try {
        bytes = Buffer.alloc(MAX_LOG_FILE_BYTES);
        const { bytesRead } = await handle.read(bytes as Buffer, 0, MAX_LOG_FILE_BYTES, 0);
        bytes = bytes.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
      cut = true;
    } else bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    return { problem: `${name} could not be read: ${(error as Error)?.message ?? error}` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { problem: `${name} is binary, not a text log.` };
  let text = new TextDecoder().decode(bytes);
  // Cut at the last whole line; the server says the report stopped there.
  if (cut) text = text.slice(0, text.lastIndexOf('\n') + 1);
  return { params: { text, uri: uri.toString(), firstLine: 1, ...(cut ? { truncated: true } : {}) } };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
