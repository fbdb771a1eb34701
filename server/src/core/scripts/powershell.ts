/**
 * `Invoke-RestMethod` / `Invoke-WebRequest` calls in PowerShell: URL, method,
 * and whether they send a Bearer token (a `-Headers` hashtable, written inline
 * or assigned above, or `-Authentication Bearer`).
 */
import type { Span } from '../types';
import { classifyUrl } from './harborApi';
import type { HttpRequest } from './model';

const BEARER_ENTRY = /["']?authorization["']?\s*=\s*["']bearer\b[^\n;}]*/i;
const CMDLET = /(?:^|[\s(;|=])(invoke-restmethod|invoke-webrequest|irm|iwr)\b/gim;

/** Words of a command up to its end (backtick continuations, `@{…}` and `(…)` spanning lines). */
function commandWords(text: string, from: number): { text: string; span: Span }[] {
  const words: { text: string; span: Span }[] = [];
  let i = from;
  let start = -1;
  let depth = 0;
  let quote = '';
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '`') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === '`' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if ((ch === '\n' || ch === ';' || ch === '|' || ch === ')') && depth === 0) break;
    if (/\s/.test(ch) && depth === 0) {
      if (start >= 0) words.push({ text: text.slice(start, i), span: { start, end: i } });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '(') depth++;
    else if (ch === '}' || ch === ')') depth--;
  }
  if (start >= 0) words.push({ text: text.slice(start, i), span: { start, end: i } });
  return words;
}

function assignment(text: string, variable: string, before: number): Span | undefined {
  const pattern = new RegExp(`\\${variable}\\s*=\\s*@\\{`, 'gi');
  let found: Span | undefined;
  for (let m = pattern.exec(text); m && m.index < before; m = pattern.exec(text)) {
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    found = { start: m.index, end: Math.min(text.length, end + 1) };
  }
  // `$headers.Add("Authorization", "Bearer …")` and `$headers["Authorization"] = "Bearer …"`
  const added = new RegExp(`\\${variable}(?:\\.Add\\(\\s*["']authorization["']\\s*,|\\[\\s*["']authorization["']\\s*\\]\\s*=)\\s*["']bearer\\b[^\\n]*`, 'gi').exec(text.slice(0, before));
  return added ? { start: added.index, end: added.index + added[0].length } : found;
}

export function readPowerShellRequests(text: string): HttpRequest[] {
  const requests: HttpRequest[] = [];
  for (const m of text.matchAll(CMDLET)) {
    const words = commandWords(text, m.index! + m[0].length);
    const param = (name: RegExp) => {
      const i = words.findIndex((w) => name.test(w.text));
      return i >= 0 ? words[i + 1] : undefined;
    };
    const url = param(/^-(uri|url)$/i) ?? words.find((w) => !w.text.startsWith('-') && /\/api\/|\/service\/token|\/v2\//.test(w.text));
    if (!url) continue;
    const endpoint = classifyUrl(url.text);
    if (!endpoint || (endpoint.kind === 'api-v1' && !/harbor/i.test(text))) continue;
    const method = param(/^-method$/i)?.text.replace(/["']/g, '').toUpperCase() ?? 'GET';
    let bearer: Span | undefined;
    const headers = param(/^-headers$/i);
    if (headers) {
      if (/^\$\w+$/.test(headers.text)) {
        const assigned = assignment(text, headers.text, m.index!);
        const hit = assigned && (BEARER_ENTRY.exec(text.slice(assigned.start, assigned.end)) ?? /bearer/i.exec(text.slice(assigned.start, assigned.end)));
        if (assigned && hit) bearer = assigned.end - assigned.start < 200 && !BEARER_ENTRY.test(text.slice(assigned.start, assigned.end)) ? assigned : { start: assigned.start + hit.index, end: assigned.start + hit.index + hit[0].length };
      } else {
        const hit = BEARER_ENTRY.exec(headers.text);
        if (hit) bearer = { start: headers.span.start + hit.index, end: headers.span.start + hit.index + hit[0].length };
      }
    }
    const authentication = words.findIndex((w) => /^-authentication$/i.test(w.text));
    if (authentication >= 0 && /^["']?bearer/i.test(words[authentication + 1]?.text ?? '')) bearer = { start: words[authentication].span.start, end: words[authentication + 1].span.end };
    const quoted = /^["']/.test(url.text) ? 1 : 0;
    const written = url.text.slice(quoted, url.text.length - quoted);
    // An expanding string ("…$x…") has no literal offsets; tested once, not once per character (fuzz: 1 s on a 45 KB URL).
    const expands = url.text.startsWith('"') && /[$`]/.test(written);
    const offsets = Array.from({ length: written.length }, (_, i) => (expands ? -1 : url.span.start + quoted + i));
    requests.push({
      tool: 'powershell',
      method,
      endpoint,
      url: { written, span: url.span, offsets },
      bearer: bearer ? { span: bearer, fromTokenService: false, looksLikeIdToken: /id_?token|oidc/i.test(text.slice(bearer.start, bearer.end)) } : undefined,
    });
  }
  return requests;
}
