/**
 * A minimal LSP client for protocol tests: spawns `harbor-audit lsp --stdio`
 * (the path Neovim and other editors use) and speaks JSON-RPC to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ClientCapabilities, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { repoRoot } from './fixtures';

export interface TestClientOptions {
  workspace: string;
  pull?: boolean;
  /** Answer to workspace/configuration for section harborAudit. */
  configuration?: unknown;
  trusted?: boolean;
  /** A command the server runs under, such as strace with its options (the server's command line is appended). */
  wrapper?: string[];
  /** The node binary that runs the server (default: the one running the tests). */
  node?: string;
}

export class TestLspClient {
  readonly connection: MessageConnection;
  private readonly process: ChildProcess;
  readonly published = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: { uri: string; predicate: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly shownDocuments: string[] = [];
  readonly statuses: { uri: string; kind: string }[] = [];
  configuration: unknown;
  private versions = new Map<string, number>();
  stderr = '';

  constructor(private readonly options: TestClientOptions) {
    this.configuration = options.configuration ?? {};
    const command = [...(options.wrapper ?? []), options.node ?? process.execPath, join(repoRoot, 'dist', 'cli.js'), 'lsp', '--stdio'];
    this.process = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.set(params.uri, params);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.predicate(params.diagnostics)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params.diagnostics);
        }
      }
    });
    this.connection.onNotification('window/showMessage', (params: { type: number; message: string }) => {
      this.messages.push(params);
    });
    this.connection.onNotification('harborAudit/status', (params: { uri: string; kind: string }) => {
      this.statuses.push(params);
    });
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => this.configuration));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    this.connection.onRequest('window/showDocument', (params: { uri: string }) => {
      this.shownDocuments.push(params.uri);
      return { success: true };
    });
    this.connection.listen();
  }

  /** The server's process id (benchmarks read its memory from /proc). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  async initialize(): Promise<unknown> {
    const capabilities: ClientCapabilities = {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, diagnostics: { refreshSupport: true } },
      window: { showDocument: { support: true } },
      textDocument: {
        publishDiagnostics: { relatedInformation: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } },
        ...(this.options.pull ? { diagnostic: { dynamicRegistration: false } } : {}),
      },
    };
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(this.options.workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(this.options.workspace).toString(), name: 'ws' }],
      capabilities,
      initializationOptions: { trusted: this.options.trusted ?? true },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(path: string, text: string, languageId = path.endsWith('.conf') ? 'nginx' : 'yaml'): string {
    const uri = pathToFileURL(path).toString();
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  change(uri: string, text: string): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Resolves with the next published diagnostics for uri that satisfy the predicate. */
  waitForDiagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 10000): Promise<Diagnostic[]> {
    const current = this.published.get(uri);
    if (current && predicate(current.diagnostics)) return Promise.resolve(current.diagnostics);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.published.get(uri)?.diagnostics)}; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ uri, predicate, resolve: (d) => (clearTimeout(timer), resolve(d)) });
    });
  }

  /** The diagnostic report as the server sends it, with the previous result id as VS Code sends it (LSP 3.17). */
  async pullReport(uri: string, previousResultId?: string): Promise<{ kind: 'full'; resultId?: string; items: Diagnostic[] } | { kind: 'unchanged'; resultId: string }> {
    return await this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });
  }

  async pull(uri: string): Promise<Diagnostic[]> {
    const report = (await this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
    return report.items;
  }

  async shutdown(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // The process may already be gone.
    }
    await new Promise<void>((resolve) => {
      if (this.process.exitCode !== null) return resolve();
      const timer = setTimeout(() => (this.process.kill('SIGKILL'), resolve()), 2000);
      this.process.once('exit', () => (clearTimeout(timer), resolve()));
    });
    this.connection.dispose();
  }
}
