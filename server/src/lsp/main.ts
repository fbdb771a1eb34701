/** Entry point of the language server: stdio for any LSP client, IPC when VS Code starts it. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

/** The docs folder ships beside the bundles (dist/../docs) and beside the sources in a checkout. */
export function findDocsRoot(from: string = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'docs', 'rules');
    if (existsSync(candidate)) return candidate;
  }
  return join(from, 'docs', 'rules');
}

export function startStdioServer(): void {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startServer(connection, { docsRoot: findDocsRoot() });
}

/** VS Code starts the server with --node-ipc (or --stdio); createConnection reads that from argv. */
export function startFromArgv(): void {
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection, { docsRoot: findDocsRoot() });
}
