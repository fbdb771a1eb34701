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
