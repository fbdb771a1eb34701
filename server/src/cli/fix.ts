/**
 * `--fix`, `--unsafe-fixes` and `--diff`: the core's fixpoint applied to a
 * file on disk, written back in its own encoding, or shown as a diff.
 */
import { promises as fs } from 'node:fs';
import { decodeBytes, type Decoded } from '../core/decode';
import { fixToFixpoint, type AppliedFix } from '../core/fixAll';
import type { Analysis, AnalyzeOptions } from '../core/languageService';
import { unifiedDiff } from './unifiedDiff';

export interface FixOptions {
  includeUnsafe: boolean;
  /** Print a diff instead of writing. */
  diffOnly: boolean;
}

export type WriteFile = (path: string, data: Uint8Array) => Promise<void>;

export const writeFileInPlace: WriteFile = (path, data) => fs.writeFile(path, data);

export interface FileFixResult {
  /** The analysis of what is on disk now (or would be, with --diff). */
  analysis: Analysis;
  applied: AppliedFix[];
  diff?: string;
  /** Why the fixed text could not be written; the file is then as it was. */
  writeError?: string;
}

/** Fixes one file already linted as `analysis`; files that are not clean text are left alone. */
export async function fixFile(
  target: { display: string; absolute: string },
  bytes: Uint8Array,
  analysis: Analysis,
  analyzeOptions: AnalyzeOptions,
  options: FixOptions,
  writeFile: WriteFile,
): Promise<FileFixResult> {
  const decoded = decodeBytes(bytes);
  // Rewriting bytes that did not decode cleanly would change more than the fix.
  if (decoded.problem || analysis.recognition.kind === 'not-harbor') return { analysis, applied: [] };
  const result = await fixToFixpoint({ uri: target.display, path: target.absolute, text: decoded.text }, { ...analyzeOptions, includeUnsafe: options.includeUnsafe }, analysis);
  if (!result.changed) return { analysis: result.analysis, applied: [] };
  if (options.diffOnly) {
    return { analysis: result.analysis, applied: result.applied, diff: unifiedDiff(decoded.text, result.text, `a/${target.display}`, `b/${target.display}`) };
  }
  try {
    await writeFile(target.absolute, encodeLike(decoded, result.text));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    return { analysis, applied: [], writeError: code ? `${code}: ${describeWriteError(code)}` : String((error as Error)?.message ?? error) };
  }
  return { analysis: result.analysis, applied: result.applied };
}

function describeWriteError(code: string): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return 'cannot write the file';
  }
}

/** The text in the encoding (and byte-order mark) the file had. */
export function encodeLike(decoded: Decoded, text: string): Uint8Array {
  switch (decoded.encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  }
}

/** One line per fixed file for the text report: what changed, by rule. */
export function describeApplied(file: string, applied: readonly AppliedFix[], diffOnly: boolean): string {
  const byRule = new Map<string, number>();
  for (const fix of applied) byRule.set(fix.ruleId, (byRule.get(fix.ruleId) ?? 0) + 1);
  const rules = [...byRule].map(([ruleId, count]) => (count > 1 ? `${ruleId} ×${count}` : ruleId)).join(', ');
  const unsafe = applied.filter((fix) => fix.safety === 'unsafe').length;
  return `${file}: ${diffOnly ? 'would fix' : 'fixed'} ${applied.length} problem${applied.length === 1 ? '' : 's'} (${rules})${unsafe > 0 ? `, ${unsafe} with an unsafe fix` : ''}`;
}
