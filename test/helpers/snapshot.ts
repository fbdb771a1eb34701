/** Snapshot files next to fixtures; `UPDATE_SNAPSHOTS=1 npm test` rewrites them, a missing one fails. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export function assertSnapshot(path: string, actual: string): void {
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing snapshot ${path}: run UPDATE_SNAPSHOTS=1 npm test and review it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `snapshot ${path} differs (UPDATE_SNAPSHOTS=1 to accept)`);
}

/** The changed lines between two texts, as `-`/`+` lines with 1-based line numbers. */
export function lineDiff(before: string, after: string): string {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail).map((line) => `  - ${line}`);
  const added = b.slice(head, b.length - tail).map((line) => `  + ${line}`);
  return [`  @@ line ${head + 1}`, ...removed, ...added].join('\n');
}
