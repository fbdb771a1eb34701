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
import { percentile } from './stats';

export interface KeystrokeLatency {
  p50: number;
  p95: number;
  diagnostics: number;
  /** Pulls the server answered "unchanged" (the editor keeps what it shows). */
  unchanged: number;
}

/** Where typing goes in 'value' mode: the end of the value on that line (a server name, a repository name). */
function valueColumn(text: string, line: number): number {
  const content = text.split('\n')[line];
  const semicolon = content.lastIndexOf(';');
  return semicolon >= 0 ? semicolon : content.length;
}

/**
 * Types `keystrokes` characters into a comment on line `line` of `text` (a
 * comment so the findings stay the same), or at the end of the value on that
 * line ('value': every keystroke is a real change), pulling diagnostics after each.
 */
export async function keystrokeLatency(fileName: string, text: string, keystrokes: number, line = 0, where: 'comment' | 'value' = 'comment'): Promise<KeystrokeLatency> {
  const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-bench-'));
  const path = join(workspace, fileName);
  const commented = text.split('\n');
  if (where === 'comment') commented.splice(line, 0, '# typing here: ');
  const content = commented.join('\n');
  writeFileSync(path, content);
  const client = new TestLspClient({ workspace, pull: true });
  try {
    await client.initialize();
    const uri = client.open(path, content);
    let diagnostics = (await client.pull(uri)).length;
    let resultId: string | undefined;
    // Pulls as VS Code does: with the previous result id, so the server may answer "unchanged".
    const pull = async () => {
      const report = await client.pullReport(uri, resultId);
      resultId = report.resultId;
      if (report.kind === 'full') diagnostics = report.items.length;
      return report.kind;
    };
    await pull(); // warm: the first analysis also loads settings
    const column = where === 'comment' ? '# typing here: '.length : valueColumn(content, line);
    const samples: number[] = [];
    let unchanged = 0;
    for (let i = 0; i < keystrokes; i++) {
      const start = performance.now();
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: i + 2 },
        contentChanges: [{ range: { start: { line, character: column + i }, end: { line, character: column + i } }, text: 'x' }],
      });
      if ((await pull()) === 'unchanged') unchanged++;
      samples.push(performance.now() - start);
    }
    return { p50: percentile(samples, 50), p95: percentile(samples, 95), diagnostics, unchanged };
  } finally {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  }
}

