/**
 * The versioned model of the chart's values keys and the installer's
 * harbor.yml / harbor.cfg keys: types, shapes and queries. The data itself is
 * generated (keyData.ts) and stored newest-first as differences between
 * versions, so that twenty versions cost little more than one.
 */
export type KeyType = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null' | 'any';

export interface KeyEntry {
  type: KeyType;
  /** The published default (scalars only; long or multi-line strings are left out). */
  default?: string | number | boolean;
  /** A map or list whose contents are the user's own (annotations, resources, driver options): not checked inside. */
  open?: boolean;
  /** Read by a template (or prepare) but not listed in values.yaml / harbor.yml. */
  template?: boolean;
  /** Listed only in a comment of harbor.yml (a documented optional block). */
  commented?: boolean;
  /** A template tests it with `if`/`with`, where any non-empty string (even "false") is true. */
  truthy?: boolean;
}

export type KeyTable = Record<string, KeyEntry>;

const TYPE_CODES: Record<KeyType, string> = { map: 'm', list: 'l', string: 's', number: 'n', boolean: 'b', null: 'z', any: 'a' };
const CODE_TYPES = Object.fromEntries(Object.entries(TYPE_CODES).map(([type, code]) => [code, type])) as Record<string, KeyType>;

type EncodedEntry = string | [string, string | number | boolean];

function encodeEntry(entry: KeyEntry): EncodedEntry {
  const code = TYPE_CODES[entry.type] + (entry.open ? 'o' : '') + (entry.template ? 't' : '') + (entry.commented ? 'c' : '') + (entry.truthy ? 'i' : '');
  return entry.default === undefined ? code : [code, entry.default];
}

function decodeEntry(encoded: EncodedEntry): KeyEntry {
  const code = typeof encoded === 'string' ? encoded : encoded[0];
  const entry: KeyEntry = { type: CODE_TYPES[code[0]] ?? 'any' };
  if (code.includes('o')) entry.open = true;
  if (code.includes('t')) entry.template = true;
  if (code.includes('c')) entry.commented = true;
  if (code.includes('i')) entry.truthy = true;
  if (typeof encoded !== 'string') entry.default = encoded[1];
  return entry;
}

export interface EncodedVersions {
  /** Oldest to newest. */
  versions: string[];
  /** The newest version in full. */
  newest: Record<string, EncodedEntry>;
  /** diffs[i] turns version i+1 into version i: entries set, keys deleted. */
  diffs: { set: Record<string, EncodedEntry>; del: string[] }[];
}

export function encodeVersionTable(tables: { version: string; table: KeyTable }[]): EncodedVersions {
  const encoded = tables.map(({ table }) => Object.fromEntries(Object.entries(table).map(([key, entry]) => [key, encodeEntry(entry)])));
  const diffs: EncodedVersions['diffs'] = [];
  for (let i = 0; i < encoded.length - 1; i++) {
    const older = encoded[i];
    const newer = encoded[i + 1];
    const set: Record<string, EncodedEntry> = {};
    for (const [key, entry] of Object.entries(older)) if (JSON.stringify(newer[key]) !== JSON.stringify(entry)) set[key] = entry;
    const del = Object.keys(newer).filter((key) => !(key in older));
    diffs.push({ set, del });
  }
  return { versions: tables.map((t) => t.version), newest: encoded[encoded.length - 1] ?? {}, diffs };
}

/** All versions of one file kind, decoded on first use. */
export class VersionedKeys {
  private readonly cache = new Map<string, KeySet>();
  private encodedCache: Record<string, EncodedEntry>[] | undefined;

  constructor(private readonly encoded: EncodedVersions) {}

  get versions(): readonly string[] {
    return this.encoded.versions;
  }

  get newest(): string {
    return this.encoded.versions[this.encoded.versions.length - 1];
  }

  /** The keys of a version in the data (exact version string as listed). */
  keys(version: string): KeySet {
    let set = this.cache.get(version);
    if (!set) {
      const index = this.encoded.versions.indexOf(version);
      const tables = this.decodeAll();
      const table = tables[index >= 0 ? index : tables.length - 1];
      set = new KeySet(Object.fromEntries(Object.entries(table).map(([key, entry]) => [key, decodeEntry(entry)])));
      this.cache.set(version, set);
    }
    return set;
  }

  /** The versions (as listed) in which a path is a known key. */
  versionsWith(path: string): string[] {
    return this.encoded.versions.filter((version) => this.keys(version).known(path));
  }

  private decodeAll(): Record<string, EncodedEntry>[] {
    if (!this.encodedCache) {
      const tables: Record<string, EncodedEntry>[] = [];
      let current = { ...this.encoded.newest };
      tables.unshift(current);
      for (let i = this.encoded.diffs.length - 1; i >= 0; i--) {
        const diff = this.encoded.diffs[i];
        current = { ...current, ...diff.set };
        for (const key of diff.del) delete current[key];
        tables.unshift(current);
      }
      this.encodedCache = tables;
    }
    return this.encodedCache;
  }
}

/** One version's keys, with the child index that completion and suggestions need. */
export class KeySet {
  private readonly childIndex = new Map<string, string[]>();

  constructor(readonly table: Readonly<KeyTable>) {
    for (const path of Object.keys(table)) {
      const cut = path.lastIndexOf('.');
      const parent = cut < 0 ? '' : path.slice(0, cut);
      const list = this.childIndex.get(parent) ?? [];
      list.push(cut < 0 ? path : path.slice(cut + 1));
      this.childIndex.set(parent, list);
    }
  }

  entry(path: string): KeyEntry | undefined {
    return this.table[path];
  }

  known(path: string): boolean {
    return path in this.table;
  }

  /** The names directly under a path ('' for the top level). */
  children(parent: string): readonly string[] {
    return this.childIndex.get(parent) ?? [];
  }

  /** The nearest ancestor (or the path itself) whose contents are free-form. */
  openAncestor(path: readonly string[]): string | undefined {
    for (let i = 1; i < path.length; i++) {
      const prefix = path.slice(0, i).join('.');
      if (this.table[prefix]?.open) return prefix;
    }
    return undefined;
  }
}

/** Numeric comparison of dotted versions (`1.9.6` < `1.10.0`); a leading `v` is ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map((n) => Number.parseInt(n, 10));
  const pb = b.replace(/^v/, '').split(/[.-]/).map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? 0) ? 0 : (pa[i] ?? 0);
    const y = Number.isNaN(pb[i] ?? 0) ? 0 : (pb[i] ?? 0);
    if (x !== y) return x - y;
  }
  return 0;
}

/** `1.13.5` → `1.13`. */
export function minorOf(version: string): string {
  return version.replace(/^v/, '').split('.').slice(0, 2).join('.');
}
