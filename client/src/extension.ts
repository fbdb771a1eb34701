/**
 * The VS Code side: starts the language server, tells it whether the workspace
 * is trusted, and shows what the active file was recognised as. Everything
 * else (diagnostics, fixes, commands) comes from the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

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

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const status = vscode.languages.createLanguageStatusItem('harborAudit.kind', [
    { language: 'yaml' },
    { language: 'nginx' },
    { pattern: '**/harbor.cfg' },
  ]);
  status.name = 'Harbor Audit';
  status.text = 'Harbor: checking…';
  context.subscriptions.push(status);
  const statusByUri = new Map<string, StatusParams>();
  const showStatus = () => {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const current = uri ? statusByUri.get(uri) : undefined;
    status.text = current ? `Harbor: ${KIND_LABEL[current.kind] ?? current.kind}` : 'Harbor: checking…';
    status.detail = current?.reason;
  };

  client = createClient(context);
  client.onNotification('harborAudit/status', (params: StatusParams) => {
    statusByUri.set(params.uri, params);
    showStatus();
  });
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(showStatus));
  // Trust widens what the server may read (keys and includes outside the workspace): restart to apply it.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await client?.stop();
      client = createClient(context);
      await client.start();
    }),
  );
  await client.start();
  registerKeyCommands(context);
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
  const output = vscode.window.createOutputChannel('Harbor Audit: keys');
  context.subscriptions.push(output);
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
      output.clear();
      if (result.ids.length === 0) {
        vscode.window.showWarningMessage('Harbor: no key ID found in that text (expected ABCD:EFGH:... or a 43-character RFC 7638 thumbprint).');
        return;
      }
      output.appendLine(`Key ID ${result.ids.join(' or ')}: ${result.matches.length} match(es) among ${result.searched} key and certificate file(s).`);
      for (const match of result.matches) output.appendLine(`${match.file}: ${match.type}`);
      output.show(true);
      if (result.matches.length === 0) vscode.window.showWarningMessage(`Harbor: no key or certificate in the workspace has key ID ${result.ids[0]}.`);
      else {
        const open = 'Open';
        const choice = await vscode.window.showInformationMessage(`Harbor: key ID ${result.ids[0]} is ${vscode.workspace.asRelativePath(result.matches[0].file)}${result.matches.length > 1 ? ` and ${result.matches.length - 1} more` : ''}.`, open);
        if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(result.matches[0].file));
      }
    }),
  );
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Content decides what is a Harbor config, so every YAML and nginx file goes to the server.
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'nginx' },
      { scheme: 'file', pattern: '**/harbor.cfg' },
      { scheme: 'file', pattern: '**/*.{conf,j2,tpl}' },
      { scheme: 'untitled', language: 'yaml' },
      { scheme: 'untitled', language: 'nginx' },
    ],
    synchronize: {
      configurationSection: 'harborAudit',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{conf,yml,yaml,cfg,pem,crt,key,nginx}'),
    },
    initializationOptions: { trusted: vscode.workspace.isTrusted },
    diagnosticPullOptions: { onChange: true, onSave: true },
  };
  return new LanguageClient('harborAudit', 'Harbor Audit', serverOptions, clientOptions);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
