/**
 * The language server's memory (issue 11 item 11), as the kernel counts it
 * (VmRSS of the server process): with 200 open documents, and within 2 s
 * after a 50 MB document is closed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestLspClient } from '../test/helpers/lspClient';

export interface MemoryFigures {
  baselineMb: number;
  openDocuments: number;
  withDocumentsMb: number;
  /** Of that, pages mapped from files (the node binary, ICU data): shared with other node processes, not the server's data. */
  withDocumentsFileMb: number;
  largeMb: number;
  peakMb: number;
  /** RSS and the time it was reached after the close (the first sample under the target, or the last). */
  afterCloseMb: number;
  afterCloseMs: number;
}

function rssMb(pid: number, field = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Text files of the fixtures and examples: 200 documents of the kinds an editor has open. */
function sampleDocuments(root: string, count: number): { name: string; text: string }[] {
  const found: { name: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ya?ml|conf)$/.test(name) && statSync(path).size < 64 * 1024) found.push({ name: path.slice(root.length + 1).replace(/[\\/]/g, '__'), text: readFileSync(path, 'utf8') });
    }
  };
  for (const folder of ['test/fixtures', 'examples']) walk(join(root, folder));
  const documents: { name: string; text: string }[] = [];
  for (let i = 0; documents.length < count && found.length > 0; i++) {
    const sample = found[i % found.length];
    documents.push({ name: `${i}-${sample.name}`, text: sample.text });
  }
  return documents;
}

/** `node`: the binary that runs the server (default: the one running the bench). */
export async function serverMemory(repoRoot: string, { nodeOptions = '', node }: { nodeOptions?: string; node?: string } = {}, openCount = 200, largeMb = 50, underMb = 150): Promise<MemoryFigures> {
  const workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-bench-memory-'));
  const client = new TestLspClient({ workspace, pull: true, node, ...(nodeOptions ? { wrapper: ['env', `NODE_OPTIONS=${nodeOptions}`] } : {}) });
  try {
    await client.initialize();
    const pid = client.pid!;
    await sleep(200);
    const baselineMb = rssMb(pid);
    for (const document of sampleDocuments(repoRoot, openCount)) {
      const uri = client.open(join(workspace, document.name), document.text);
      await client.pull(uri);
    }
    await sleep(200);
    const withDocumentsMb = rssMb(pid);
    const withDocumentsFileMb = rssMb(pid, 'RssFile');
    const line = 'x: "' + 'y'.repeat(1018) + '"\n';
    const large = line.repeat(Math.ceil((largeMb * 1024 * 1024) / line.length));
    const uri = client.open(join(workspace, 'large.yaml'), large);
    await client.pull(uri);
    const peakMb = rssMb(pid);
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const closed = Date.now();
    let afterCloseMb = rssMb(pid);
    while (Date.now() - closed < 2000 && afterCloseMb >= underMb) {
      await sleep(50);
      afterCloseMb = rssMb(pid);
    }
    return { baselineMb, openDocuments: openCount, withDocumentsMb, withDocumentsFileMb, largeMb: large.length / (1024 * 1024), peakMb, afterCloseMb, afterCloseMs: Date.now() - closed };
  } finally {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  }
}
