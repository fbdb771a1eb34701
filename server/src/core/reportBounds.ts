/** The facade's guard against rules that report outside their document. */
import type { Report } from './rules/rule';
import type { Span } from './types';

/**
 * Every span a rule reports must lie inside its document: a span past the end
 * would show a diagnostic nowhere and a fix would edit text that is not there.
 * A bad finding span drops the finding, a bad edit drops its fix, a bad related
 * span drops that location; each is an internal error (a bug in the rule).
 */
export function keepInBounds(report: Report, length: number, fail: (problem: string) => void): Report | undefined {
  const inside = (span: Span, size: number) =>
    Number.isInteger(span.start) && Number.isInteger(span.end) && 0 <= span.start && span.start <= span.end && span.end <= size;
  const describe = (span: Span, size: number) => `[${span.start}, ${span.end}) in a text of ${size} characters`;
  if (!inside(report.span, length)) {
    fail(`finding span ${describe(report.span, length)}`);
    return undefined;
  }
  const fixes = report.fixes?.filter((fix) => {
    const bad = fix.edits.find((edit) => !inside(edit.span, length));
    if (bad) fail(`fix "${fix.title}" edits ${describe(bad.span, length)}`);
    return !bad;
  });
  const related = report.related?.filter((location) => {
    // Locations in another file carry that file's text; without it only the document's own length is known.
    const size = location.text?.length ?? (location.file === undefined ? length : Number.POSITIVE_INFINITY);
    const ok = inside(location.span, size);
    if (!ok) fail(`related span ${describe(location.span, size)}`);
    return ok;
  });
  return { ...report, ...(fixes ? { fixes } : {}), ...(related ? { related } : {}) };
}
