/**
 * The part of the client that needs vscode-languageclient. It is a bundle of
 * its own (dist/languageClient.js), loaded after activation returns, so that
 * activating the extension costs the extension host only the small
 * dist/client.js (VS Code counts code loading and the synchronous activate call).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/nodeFlags';

export type { LanguageClient };

export interface ClientHooks {
  output: vscode.LogOutputChannel;
  documentSelector: NonNullable<LanguageClientOptions['documentSelector']>;
  /** Opens a rule's page rendered (the Problems panel's rule link and "Show documentation"). */
  showRuleDocs(ruleId: string): Promise<void>;
  /** `page: 'log'`: a log signature's section of docs/log-signatures.md instead of a rule's page. */
  docsCommandUri(ruleId: string, page?: 'log'): vscode.Uri;
}

export type ServerState = 'starting' | 'running' | 'stopped';

export function serverState(state: State): ServerState {
  return state === State.Running ? 'running' : state === State.Starting ? 'starting' : 'stopped';
}

export function createClient(context: vscode.ExtensionContext, hooks: ClientHooks): LanguageClient {
  // The CLI bundle is the server too (`harbor-audit lsp`): the package carries the core once.
  const serverModule = context.asAbsolutePath(path.join('dist', 'cli.js'));
  const serverOptions: ServerOptions = {
    // Flags that keep a long-running server's RSS near its live data (why: nodeFlags.ts; figures: npm run bench, memory).
    run: { module: serverModule, args: ['lsp'], transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module: serverModule, args: ['lsp'], transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const withDocsLink = (diagnostic: vscode.Diagnostic): vscode.Diagnostic => {
    const code = diagnostic.code;
    if (diagnostic.source === 'harbor-audit' && typeof code === 'object' && code !== null && 'value' in code) {
      // The server links a log diagnostic to its signature on docs/log-signatures.md.
      const page = code.target.path.endsWith('/log-signatures.md') ? 'log' : undefined;
      diagnostic.code = { value: code.value, target: hooks.docsCommandUri(String(code.value), page) };
    }
    return diagnostic;
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: hooks.documentSelector,
    outputChannel: hooks.output,
    synchronize: {
      configurationSection: 'harborAudit',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{conf,yml,yaml,cfg,j2,tpl,tmpl,pem,crt,key,nginx}'),
    },
    initializationOptions: { trusted: vscode.workspace.isTrusted },
    diagnosticPullOptions: { onChange: true, onSave: true },
    middleware: {
      // "Show documentation" and the rule link open the page rendered, not as markdown source.
      executeCommand: async (command, args, next) => {
        if (command === 'harborAudit.showRuleDocs') return hooks.showRuleDocs(String(args[0]));
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
