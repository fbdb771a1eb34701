/**
 * The nearest known key for an unknown one: same letters in another case,
 * a small edit away among its siblings, or the same name elsewhere (a key
 * that moved between versions, like `expose.tls.secretName` →
 * `expose.tls.secret.secretName`).
 */
import type { KeySet } from './keyModel';

export interface Suggestion {
  /** The known key's full dotted path. */
  path: string;
  /** The name that replaces the unknown one when it is a sibling; undefined when the key lives elsewhere. */
  sibling?: string;
  /** Only one candidate at the best distance. */
  unambiguous: boolean;
  /** A chart-wide (top-level) key written under a section. */
  topLevel?: boolean;
}

/** Damerau–Levenshtein (optimal string alignment) distance, stopping early above `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0][j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2][j - 2] + 1);
      rows[i][j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (i > 0 && rowMin > limit) return limit + 1;
  }
  return rows[a.length][b.length];
}

function allowance(name: string): number {
  return name.length <= 4 ? 1 : name.length <= 10 ? 2 : 3;
}

/** The keys of a version by their last segment (lower case), in table order: built once per key set, not scanned per unknown key. */
const lastSegmentIndexes = new WeakMap<KeySet, Map<string, string[]>>();
function byLastSegment(keys: KeySet): Map<string, string[]> {
  let index = lastSegmentIndexes.get(keys);
  if (!index) {
    index = new Map();
    for (const known of Object.keys(keys.table)) {
      const last = known.split('.').pop()!.toLowerCase();
      const list = index.get(last);
      if (list) list.push(known);
      else index.set(last, [known]);
    }
    lastSegmentIndexes.set(keys, index);
  }
  return index;
}

export function suggestKey(keys: KeySet, path: readonly string[]): Suggestion | undefined {
  const name = path[path.length - 1];
  const parent = path.slice(0, -1).join('.');
  const siblings = keys.children(parent);
  const join = (sibling: string) => (parent ? `${parent}.${sibling}` : sibling);
  const lower = name.toLowerCase().replace(/[-_]/g, '');
  const sameLetters = siblings.filter((s) => s.toLowerCase().replace(/[-_]/g, '') === lower);
  if (sameLetters.length > 0) return { path: join(sameLetters[0]), sibling: sameLetters[0], unambiguous: sameLetters.length === 1 };
  const limit = allowance(name);
  let best = limit + 1;
  let found: string[] = [];
  for (const sibling of siblings) {
    const distance = editDistance(name.toLowerCase(), sibling.toLowerCase(), limit);
    if (distance < best) {
      best = distance;
      found = [sibling];
    } else if (distance === best) found.push(sibling);
  }
  if (found.length > 0 && best <= limit) return { path: join(found[0]), sibling: found[0], unambiguous: found.length === 1 };
  // The same name elsewhere: prefer the place that shares the longest prefix with where it was written.
  const elsewhere = byLastSegment(keys).get(name.toLowerCase()) ?? [];
  if (elsewhere.length === 0) return undefined;
  const shared = (known: string) => {
    const parts = known.split('.');
    let n = 0;
    while (n < parts.length && n < path.length - 1 && parts[n] === path[n]) n++;
    return n;
  };
  const top = Math.max(...elsewhere.map(shared));
  const closest = elsewhere.filter((known) => shared(known) === top);
  // A nested key is only sent to another section when nothing closer exists: `internalTLS.certSource` is no cure for `expose.tls.certSource`.
  // The exception is a chart-wide key copied under one component (`core.containerSecurityContext`):
  // the top-level key of that name is where it is read, for every component.
  if (top === 0 && (path.length > 1 || closest.length > 1)) {
    const topLevel = closest.filter((known) => !known.includes('.'));
    return path.length > 1 && topLevel.length === 1 ? { path: topLevel[0], unambiguous: true, topLevel: true } : undefined;
  }
  return { path: closest[0], unambiguous: closest.length === 1 };
}
