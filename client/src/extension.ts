/**
 * The VS Code side: starts the language server, tells it whether the workspace
 * is trusted, shows the server's state and what the active file was
 * recognised as, and drives the workspace audit. Diagnostics, fixes and the
 * key commands' results come from the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
// Type only: erased from the bundle, so the client does not load the server.
import type { AuditWorkspaceResult } from '../../server/src/lsp/server';

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
};

/**
 * What goes to the server. Content decides what is a Harbor config, so this
 * is wide: every YAML and nginx file, files named like configs or templates
 * of them, anything under an nginx folder, and the kinds of file that carry
 * Harbor settings in scripts, CI and logs.
 */
const LANGUAGES = ['yaml', 'nginx', 'shellscript', 'makefile', 'groovy', 'python', 'powershell', 'log'];
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
    client = createClient(context);
    client.onDidChangeState(({ newState }) => {
      serverStatus.text = newState === State.Running ? 'Harbor server: running' : newState === State.Starting ? 'Harbor server: starting' : 'Harbor server: stopped';
      serverStatus.severity = newState === State.Stopped ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
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
    vscode.commands.registerCommand(DOCS_COMMAND, (ruleId: unknown) => showRuleDocs(context, String(ruleId))),
  );
  registerKeyCommands(context);
  // Activation ends here: the server starts and the automatic audit runs without holding up the extension host.
  output.info(`activated in ${Date.now() - started} ms`);
  void start().then(() => {
    if (vscode.workspace.getConfiguration('harborAudit').get('run') === 'workspace') void audit.run(client, true);
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

async function showRuleDocs(context: vscode.ExtensionContext, ruleId: string): Promise<void> {
  if (!/^[a-z0-9-]+$/.test(ruleId)) return;
  const uri = vscode.Uri.file(context.asAbsolutePath(path.join('docs', 'rules', `${ruleId}.md`)));
  await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, () => vscode.window.showTextDocument(uri));
}

/** The Problems panel's rule link, as a command that opens the rendered page. */
function docsCommandUri(ruleId: string): vscode.Uri {
  return vscode.Uri.parse(`command:${DOCS_COMMAND}?${encodeURIComponent(JSON.stringify([ruleId]))}`);
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
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') + '\n' });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => vscode.window.showTextDocument(doc));
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

const SERVER_HEAP_FLAG = '--max-semi-space-size=1';

function createClient(context: vscode.ExtensionContext): LanguageClient {
  // The CLI bundle is the server too (`harbor-audit lsp`): the package carries the core once.
  const serverModule = context.asAbsolutePath(path.join('dist', 'cli.js'));
  const serverOptions: ServerOptions = {
    // A 1 MB young generation (V8 grows it to 16 MB per semi-space under a burst of edits and keeps it):
    // with 200 open documents the server stays near 80 MB instead of ~96 MB (npm run bench, memory).
    run: { module: serverModule, args: ['lsp'], transport: TransportKind.ipc, options: { execArgv: [SERVER_HEAP_FLAG] } },
    debug: { module: serverModule, args: ['lsp'], transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    synchronize: {
      configurationSection: 'harborAudit',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{conf,yml,yaml,cfg,j2,tpl,tmpl,pem,crt,key,nginx}'),
    },
    initializationOptions: { trusted: vscode.workspace.isTrusted },
    diagnosticPullOptions: { onChange: true, onSave: true },
    middleware: {
      // "Show documentation" and the rule link open the page rendered, not as markdown source.
      executeCommand: async (command, args, next) => {
        if (command === 'harborAudit.showRuleDocs') return showRuleDocs(context, String(args[0]));
        return next(command, args);
      },
      handleDiagnostics: (uri, diagnostics, next) => next(uri, diagnostics.map(withDocsLink)),
      provideDiagnostics: async (document, previousResultId, token, next) => {
        const report = await next(document, previousResultId, token);
        if (report && 'items' in report && Array.isArray(report.items)) report.items = report.items.map(withDocsLink);
        return report;
      },
    },
  };
  return new LanguageClient('harborAudit', 'Harbor Audit', serverOptions, clientOptions);
}

function withDocsLink(diagnostic: vscode.Diagnostic): vscode.Diagnostic {
  const code = diagnostic.code;
  if (diagnostic.source === 'harbor-audit' && typeof code === 'object' && code !== null && 'value' in code) {
    diagnostic.code = { value: code.value, target: docsCommandUri(String(code.value)) };
  }
  return diagnostic;
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
