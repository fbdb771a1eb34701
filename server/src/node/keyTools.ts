/**
 * Key and certificate tools behind `harbor-audit keys ...` and the editor
 * commands "Compare Key and Certificate" and "Find Key by Key ID". Files are
 * read through a FileAccess (so an untrusted workspace stays confined), and the
 * results carry key IDs, types and certificate facts, never key material.
 */
import { join } from 'node:path';
import { compareKeyAndCertificateReport, findKeyIds, inspectBytes, type InspectedObject } from '../core/pki';
import type { DirectoryEntry, FileAccess } from '../core/types';

export const MAX_KEY_FILE_BYTES = 1024 * 1024;

export interface CompareResult {
  match: boolean | null;
  reason: string;
  key: { type: string; bits?: number; keyId: string; thumbprint: string } | null;
  certificate: { subject: string; sans: string[]; notBefore: string; notAfter: string; keyId: string; thumbprint: string } | null;
}

export type CompareOutcome = { ok: true; result: CompareResult; problems: string[] } | { ok: false; file: string; message: string };

/** Compares a key file with a certificate file. `ok: false` when a file cannot be read at all. */
export async function compareKeyAndCertificateFiles(files: FileAccess, keyPath: string, certPath: string): Promise<CompareOutcome> {
  const key = await files.readFile(keyPath, { maxBytes: MAX_KEY_FILE_BYTES });
  if (!key.ok) return { ok: false, file: keyPath, message: key.message };
  const cert = await files.readFile(certPath, { maxBytes: MAX_KEY_FILE_BYTES });
  if (!cert.ok) return { ok: false, file: certPath, message: cert.message };
  const report = compareKeyAndCertificateReport({ content: key.bytes, fileName: keyPath }, { content: cert.bytes, fileName: certPath });
  return {
    ok: true,
    problems: report.problems,
    result: {
      match: report.match,
      reason: report.reason,
      key: report.key ? { type: report.key.type, ...(report.key.bits !== undefined ? { bits: report.key.bits } : {}), keyId: report.key.keyId, thumbprint: report.key.thumbprint } : null,
      certificate: report.certificate
        ? {
            subject: report.certificate.subject,
            sans: report.certificate.sans,
            notBefore: report.certificate.notBefore,
            notAfter: report.certificate.notAfter,
            keyId: report.certificate.keyId,
            thumbprint: report.certificate.thumbprint,
          }
        : null,
    },
  };
}

export interface IdentifiedObject {
  file: string;
  /** `private-key`, `public-key` or `certificate`, with the key type: `certificate rsa 2048`. */
  type: string;
  keyId: string;
  thumbprint: string;
}

export function describeObject(o: InspectedObject): string {
  const key = o.key;
  const keyType = key ? [key.type, key.curve ?? key.bits].filter((part) => part !== undefined).join(' ') : 'unknown';
  return `${o.kind} ${keyType}${o.encrypted ? ' (encrypted)' : ''}`;
}

/** Key IDs of every key and certificate in a file (several for a chain or a key+cert file). */
export async function identifyFile(files: FileAccess, path: string): Promise<{ ok: true; objects: IdentifiedObject[]; problems: string[] } | { ok: false; message: string }> {
  const read = await files.readFile(path, { maxBytes: MAX_KEY_FILE_BYTES });
  if (!read.ok) return { ok: false, message: read.message };
  const objects = inspectBytes(read.bytes, { fileName: path });
  const identified = objects.filter((o) => o.key && (o.kind === 'private-key' || o.kind === 'public-key' || o.kind === 'certificate'));
  const problems = objects.filter((o) => o.problem).map((o) => o.problem!);
  for (const o of objects) if (o.needsPassword) problems.push(`an encrypted ${o.kind} cannot be identified without its password`);
  return { ok: true, objects: identified.map((o) => ({ file: path, type: describeObject(o), keyId: o.key!.keyId, thumbprint: o.key!.thumbprint })), problems };
}

// Files a search opens: key and certificate formats, and Harbor's token files.
const KEY_FILE = /\.(pem|crt|cer|cert|key|der|p12|pfx)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
/** Bound on the files one search reads. */
export const MAX_SEARCH_FILES = 5000;

/**
 * Key and certificate files under `roots` (files given directly are always included).
 * Folders are listed through `files`, so an untrusted workspace's confinement applies to the search too.
 */
export async function keyFilesUnder(files: FileAccess, roots: readonly string[], limit = MAX_SEARCH_FILES): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    const top = await files.listDirectory?.(root);
    if (!top) {
      // Not a folder we may list: a file named directly is still a candidate (its read is confined too).
      if (await existsAsFile(files, root)) found.push(root);
      continue;
    }
    const pending: { dir: string; entries: DirectoryEntry[] }[] = [{ dir: root, entries: top }];
    while (pending.length > 0 && found.length < limit) {
      const { dir, entries } = pending.pop()!;
      entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.kind === 'directory') {
          if (SKIPPED_DIRS.has(entry.name)) continue;
          const listed = await files.listDirectory?.(path);
          if (listed) pending.push({ dir: path, entries: listed });
        } else if (entry.kind === 'file' && KEY_FILE.test(entry.name)) {
          found.push(path);
          if (found.length >= limit) break;
        }
      }
    }
  }
  return [...new Set(found)].sort();
}

/** Whether `path` is something other than a folder that may be looked at (maxBytes 0: a size check, not a read). */
async function existsAsFile(files: FileAccess, path: string): Promise<boolean> {
  const read = await files.readFile(path, { maxBytes: 0 });
  return read.ok || !['missing', 'directory', 'outside-workspace', 'unsupported'].includes(read.problem);
}

export interface FindResult {
  /** The key IDs found in the query (a key ID, or a log line holding one). */
  ids: string[];
  matches: { file: string; keyId: string; type: string }[];
  searched: number;
}

/** Files under `roots` whose key or certificate has a key ID (libtrust or RFC 7638) named in `query`. */
export async function findKeyById(files: FileAccess, query: string, roots: readonly string[]): Promise<FindResult> {
  const ids = findKeyIds(query).map((found) => found.id);
  const result: FindResult = { ids, matches: [], searched: 0 };
  if (ids.length === 0) return result;
  for (const path of await keyFilesUnder(files, roots)) {
    const identified = await identifyFile(files, path);
    result.searched++;
    if (!identified.ok) continue;
    for (const object of identified.objects) {
      const hit = ids.find((id) => id === object.keyId || id === object.thumbprint);
      if (hit) result.matches.push({ file: path, keyId: hit, type: object.type });
    }
  }
  return result;
}
