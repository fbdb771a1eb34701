#!/usr/bin/env node
/*
 * A language server that does everything a server must but never reports a problem:
 * it answers `initialize` with the same kind of capabilities harbor-audit has, returns
 * empty pull-diagnostic reports and no code actions, and publishes nothing.
 *
 * Negative control for the e2e suite: run it in place of the real server with
 *   HARBOR_E2E_SERVER=test/e2e/silent-server.cjs npm run test:e2e
 * and every diagnostic/quick-fix case must fail. No dependencies, so it can be dropped into
 * an installed extension as dist/cli.js. Speaks `--stdio` (Content-Length framing) and
 * `--node-ipc` (what VS Code's TransportKind.ipc uses).
 */
'use strict';

const useIpc = process.argv.includes('--node-ipc') && typeof process.send === 'function';

function send(message) {
  const payload = { jsonrpc: '2.0', ...message };
  if (useIpc) {
    process.send(payload);
    return;
  }
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

function handle(message) {
  const { id, method } = message;
  const isRequest = id !== undefined && id !== null && typeof method === 'string';
  if (!isRequest) {
    if (method === 'exit') process.exit(0);
    return; // notifications (didOpen, didChange, …) and responses are ignored
  }
  switch (method) {
    case 'initialize':
      return send({
        id,
        result: {
          capabilities: {
            textDocumentSync: 1,
            diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false, identifier: 'harbor-audit' },
            codeActionProvider: true,
          },
          serverInfo: { name: 'silent-server (e2e negative control)', version: '0.0.0' },
        },
      });
    case 'textDocument/diagnostic':
      return send({ id, result: { kind: 'full', items: [] } });
    case 'textDocument/codeAction':
      return send({ id, result: [] });
    case 'shutdown':
      return send({ id, result: null });
    default:
      return send({ id, error: { code: -32601, message: `silent-server: ${method} not handled` } });
  }
}

if (useIpc) {
  process.on('message', handle);
} else {
  let buffer = Buffer.alloc(0);
  process.stdin.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const match = /Content-Length:\s*(\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'));
      if (!match) throw new Error('silent-server: message without Content-Length');
      const length = Number(match[1]);
      if (buffer.length < headerEnd + 4 + length) return;
      const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      buffer = buffer.subarray(headerEnd + 4 + length);
      handle(JSON.parse(body));
    }
  });
  process.stdin.on('end', () => process.exit(0));
}
