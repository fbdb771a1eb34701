/**
 * Fix all, to a fixpoint: apply every chosen fix, lint the result, and repeat
 * while fixes remain (a fix can reveal the next problem, or one fix per pass
 * may be all that fits without overlapping). The editor's "Fix all", fix on
 * save and the CLI's `--fix` all come through here, so they agree.
 */
import { analyzeText, type AnalyzeOptions, type Analysis, type DocumentInput } from './languageService';
import { applyEdits, sharedEnds } from './text';
import type { Finding, Fix, TextEdit } from './types';

/** As ESLint: enough for chains of fixes, bounded against fixes that undo each other. */
export const MAX_FIX_PASSES = 10;

export interface FixChoice {
  finding: Finding;
  fix: Fix;
}

export interface AppliedFix {
  ruleId: string;
  title: string;
  safety: Fix['safety'];
  /** The finding's position in the text the fix was applied to (1-based line). */
  line: number;
}

export interface FixpointResult {
  text: string;
  changed: boolean;
  applied: AppliedFix[];
  passes: number;
  /** The analysis of the final text: what is left. */
  analysis: Analysis;
}

/**
 * The fixes one pass applies: for each finding its first fix of an allowed
 * safety (safe fixes first), skipping any that overlaps a fix already taken.
 */
export function chooseFixes(findings: readonly Finding[], includeUnsafe = false, skip: ReadonlySet<string> = new Set()): FixChoice[] {
  const chosen: FixChoice[] = [];
  const taken: TextEdit[] = [];
  for (const finding of findings) {
    const candidates = finding.fixes.filter((fix) => fix.edits.length > 0 && (fix.safety === 'safe' || (includeUnsafe && fix.safety === 'unsafe')));
    const fix = candidates.find((f) => f.safety === 'safe') ?? candidates[0];
    if (!fix || skip.has(fixSignature(finding, fix))) continue;
    if (fix.edits.some((edit) => taken.some((other) => overlaps(edit, other)))) continue;
    taken.push(...fix.edits);
    chosen.push({ finding, fix });
  }
  return chosen;
}

/** Two edits collide when their spans overlap, or when both insert at one place (their order would be arbitrary). */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  return (a.span.start < b.span.end && b.span.start < a.span.end) || (a.span.start === b.span.start && a.span.end === b.span.end);
}

/** Identifies a fix by what it does, so a fix that does not cure its finding is not applied twice. */
function fixSignature(finding: Finding, fix: Fix): string {
  return JSON.stringify([finding.ruleId, fix.title, fix.edits.map((edit) => [edit.span.start, edit.span.end, edit.newText])]);
}

/**
 * Applies fixes until none of the allowed safety is left (or
 * {@link MAX_FIX_PASSES} passes). `first` saves a lint when the caller already
 * has the analysis of `input.text`.
 */
export async function fixToFixpoint(
  input: DocumentInput,
  options: AnalyzeOptions & { includeUnsafe?: boolean },
  first?: Analysis,
): Promise<FixpointResult> {
  let text = input.text;
  let analysis = first ?? (await analyzeText(input, options));
  const applied: AppliedFix[] = [];
  const seen = new Set<string>();
  let passes = 0;
  while (passes < MAX_FIX_PASSES) {
    const choices = chooseFixes(analysis.findings, options.includeUnsafe, seen);
    if (choices.length === 0) break;
    passes++;
    for (const { finding, fix } of choices) {
      seen.add(fixSignature(finding, fix));
      applied.push({ ruleId: finding.ruleId, title: fix.title, safety: fix.safety, line: finding.range.start.line + 1 });
    }
    const next = applyEdits(text, choices.flatMap((choice) => choice.fix.edits));
    if (next === text) break;
    text = next;
    analysis = await analyzeText({ ...input, text }, options);
  }
  return { text, changed: text !== input.text, applied, passes, analysis };
}

/**
 * The smallest single edit that turns `before` into `after` (common prefix
 * and suffix kept), so an editor keeps the cursor and folding outside it.
 */
export function singleEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let { prefix: start, suffix: end } = sharedEnds(before, after);
  // Never split a surrogate pair or a CRLF.
  while (start > 0 && (isLowSurrogate(before.charCodeAt(start)) || (before[start - 1] === '\r' && before[start] === '\n'))) start--;
  while (end > 0 && (isLowSurrogate(before.charCodeAt(before.length - end)) || (before[before.length - end - 1] === '\r' && before[before.length - end] === '\n'))) end--;
  return { span: { start, end: before.length - end }, newText: after.slice(start, after.length - end) };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
