/**
 * Harbor 1.x `harbor.cfg`: `key = value` lines. Values may hold `=`, `;` and
 * `[` (`db_password = =[;.-pl,0okm`), so a line splits at its first `=` only.
 */
import type { Span } from './types';

export interface CfgEntry {
  key: string;
  value: string;
  keySpan: Span;
  valueSpan: Span;
  lineSpan: Span;
}

export interface LegacyCfg {
  entries: Map<string, CfgEntry>;
}

export function parseLegacyCfg(text: string): LegacyCfg {
  const entries = new Map<string, CfgEntry>();
  const linePattern = /^[ \t]*([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*(.*?)[ \t]*$/d;
  let offset = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const body = line.replace(/\r?\n$/, '');
    const match = linePattern.exec(body);
    if (match?.indices) {
      const [, keyAt, valueAt] = match.indices as [number, number][];
      entries.set(match[1], {
        key: match[1],
        value: match[2],
        keySpan: { start: offset + keyAt[0], end: offset + keyAt[1] },
        valueSpan: { start: offset + valueAt[0], end: offset + valueAt[1] },
        lineSpan: { start: offset, end: offset + body.length },
      });
    }
    offset += line.length;
  }
  return { entries };
}

export function looksLikeLegacyCfg(text: string): boolean {
  return /^hostname[ \t]*=/m.test(text) && /^(harbor_admin_password|ui_url_protocol|db_password|max_job_workers)[ \t]*=/m.test(text);
}
