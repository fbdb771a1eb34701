/**
 * Keystroke to pulled diagnostics over stdio, as an editor sees it: the bench
 * opens one document in `harbor-audit lsp --stdio`, then for each keystroke
 * sends an incremental didChange and times the textDocument/diagnostic reply
 * (analysis, diagnostics conversion and JSON-RPC transfer included).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestLspClient } from '../test/helpers/lspClient';

export interface KeystrokeLatency {
  p50: number;
  p95: number;
  diagnostics: number;
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Types `keystrokes` characters into a comment on line `line` of `text` (a
 * comment so the findings stay the same), pulling diagnostics after each.
 */
export async function keystrokeLatency(fileName: string, text: string, keystrokes: number, line = 0): Promise<KeystrokeLatency> {
  const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-bench-'));
  const path = join(workspace, fileName);
  const commented = text.split('\n');
  commented.splice(line, 0, '# typing here: ');
  const content = commented.join('\n');
  writeFileSync(path, content);
  const client = new TestLspClient({ workspace, pull: true });
  try {
    await client.initialize();
    const uri = client.open(path, content);
    let diagnostics = (await client.pull(uri)).length;
    await client.pull(uri); // warm: the first analysis also loads settings
    const column = '# typing here: '.length;
    const samples: number[] = [];
    for (let i = 0; i < keystrokes; i++) {
      const start = performance.now();
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: i + 2 },
        contentChanges: [{ range: { start: { line, character: column + i }, end: { line, character: column + i } }, text: 'x' }],
      });
      diagnostics = (await client.pull(uri)).length;
      samples.push(performance.now() - start);
    }
    return { p50: percentile(samples, 50), p95: percentile(samples, 95), diagnostics };
  } finally {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  }
}

