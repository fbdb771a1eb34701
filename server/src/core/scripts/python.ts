/**
 * HTTP calls in Python through `requests` and `httpx` (module functions,
 * sessions and clients): their URL and whether they send a Bearer token.
 * A reader, not a parser: it follows brackets and string literals, and looks
 * up a bare name in the last `name = …` above the call.
 */
import type { Span } from '../types';
import { classifyUrl } from './harborApi';
import type { HttpRequest } from './model';

export interface PythonCall {
  /** The `headers=…` argument, when it is a dict literal holding only Authorization. */
  replaceableHeaders?: Span;
}

const BEARER_ENTRY = /(["'])authorization\1\s*:\s*(?:[rfRF]{0,2})(["'])bearer\b[^\n]*?(?=[,}\n])/i;
const BEARER_SUBSCRIPT = /\[\s*(["'])authorization\1\s*\]\s*=\s*[rfRF]{0,2}(["'])bearer\b[^\n]*/i;

/** Offset after the bracket closing the one at `open`, skipping string literals. */
function closeBracket(text: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '#') i = Math.max(i, text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i));
    else if (ch === '"' || ch === "'") i = skipString(text, i) - 1;
    else if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  return text.length;
}

function skipString(text: string, at: number): number {
  const quote = text.startsWith(text[at].repeat(3), at) ? text[at].repeat(3) : text[at];
  for (let i = at + quote.length; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(quote, i)) return i + quote.length;
    else if (quote.length === 1 && text[i] === '\n') return i;
  }
  return text.length;
}

/** Top-level arguments of a call, as spans of the text between its parentheses. */
function splitArguments(text: string, from: number, to: number): Span[] {
  const args: Span[] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") i = skipString(text, i) - 1;
    else if (ch === '(' || ch === '[' || ch === '{') i = closeBracket(text, i) - 1;
    else if (ch === ',') {
      args.push(trimSpan(text, start, i));
      start = i + 1;
    }
  }
  const last = trimSpan(text, start, to);
  if (last.end > last.start) args.push(last);
  return args;
}

function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

/** The expression assigned to `name` last before `before` (`name = …`, up to the end of its brackets). */
function assignedText(text: string, name: string, before: number): Span | undefined {
  const pattern = new RegExp(`^[ \\t]*${name.replace(/[.]/g, '\\.')}\\s*=(?!=)\\s*`, 'gm');
  let found: Span | undefined;
  for (let m = pattern.exec(text); m && m.index < before; m = pattern.exec(text)) {
    const start = m.index + m[0].length;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const opener = text.slice(start).search(/[({[]/);
    if (opener >= 0 && start + opener < end) end = Math.max(end, closeBracket(text, start + opener));
    found = { start, end };
  }
  return found;
}

export function readPythonRequests(text: string): HttpRequest[] {
  const clients = new Set(['requests', 'httpx']);
  for (const m of text.matchAll(/(\w+)\s*=\s*(?:requests\.[Ss]ession|httpx\.(?:Async)?Client)\s*\(/g)) clients.add(m[1]);
  for (const m of text.matchAll(/(?:requests\.[Ss]ession|httpx\.(?:Async)?Client)\s*\([^)]*\)\s+as\s+(\w+)/g)) clients.add(m[1]);
  // Session-wide headers: every call on that session sends them.
  const sessionBearer = new Map<string, Span>();
  for (const client of clients) {
    const pattern = new RegExp(`\\b${client}\\.headers(?:\\.update\\(|\\s*\\[)`, 'g');
    for (const m of text.matchAll(pattern)) {
      const line = text.slice(m.index!, closeBracket(text, m.index! + m[0].length - 1));
      const hit = BEARER_ENTRY.exec(line) ?? BEARER_SUBSCRIPT.exec(text.slice(m.index!, text.indexOf('\n', m.index!) < 0 ? text.length : text.indexOf('\n', m.index!)));
      if (hit) sessionBearer.set(client, { start: m.index! + hit.index, end: m.index! + hit.index + hit[0].length });
    }
  }
  const requests: HttpRequest[] = [];
  const call = /\b(\w+)\.(get|post|put|delete|patch|head|request)\s*\(/g;
  for (let m = call.exec(text); m; m = call.exec(text)) {
    if (!clients.has(m[1])) continue;
    const open = m.index + m[0].length - 1;
    const close = closeBracket(text, open);
    const args = splitArguments(text, open + 1, close - 1);
    const positional = args.filter((arg) => !/^\w+\s*=(?!=)/.test(text.slice(arg.start, arg.end)));
    const keyword = (name: string) => {
      const arg = args.find((a) => new RegExp(`^${name}\\s*=(?!=)`).test(text.slice(a.start, a.end)));
      return arg ? { start: arg.start + text.slice(arg.start, arg.end).indexOf('=') + 1, end: arg.end, whole: arg } : undefined;
    };
    let method = m[2].toUpperCase();
    let urlSpan = keyword('url') ?? positional[m[2] === 'request' ? 1 : 0];
    if (m[2] === 'request') method = text.slice(positional[0]?.start ?? 0, positional[0]?.end ?? 0).replace(/["']/g, '').toUpperCase() || 'GET';
    if (!urlSpan) continue;
    urlSpan = trimSpan(text, urlSpan.start, urlSpan.end);
    let urlText = text.slice(urlSpan.start, urlSpan.end);
    if (/^\w+$/.test(urlText)) urlText = ((s) => (s ? text.slice(s.start, s.end) : urlText))(assignedText(text, urlText, m.index));
    const endpoint = classifyUrl(urlText);
    if (!endpoint || (endpoint.kind === 'api-v1' && !/harbor/i.test(text))) continue;
    const headers = keyword('headers');
    let bearerSpan: Span | undefined;
    let replaceableHeaders: Span | undefined;
    if (headers) {
      const value = text.slice(headers.start, headers.end).trim();
      const from = /^\w+$/.test(value) ? assignedText(text, value, m.index) : trimSpan(text, headers.start, headers.end);
      if (from) {
        const hit = BEARER_ENTRY.exec(text.slice(from.start, from.end));
        if (hit) {
          bearerSpan = { start: from.start + hit.index, end: from.start + hit.index + hit[0].length };
          const onlyEntry = /^\{\s*(["'])authorization\1\s*:[^,]*,?\s*\}$/is.test(value);
          if (onlyEntry) replaceableHeaders = headers.whole;
        }
      }
    }
    bearerSpan ??= sessionBearer.get(m[1]);
    const offsets = literalPythonOffsets(text, urlSpan);
    requests.push({
      tool: 'python',
      method,
      endpoint,
      url: { written: text.slice(urlSpan.start, urlSpan.end), span: urlSpan, offsets },
      bearer: bearerSpan ? { span: bearerSpan, fromTokenService: false, looksLikeIdToken: /id_?token|oidc/i.test(text.slice(bearerSpan.start, bearerSpan.end)) } : undefined,
      python: { replaceableHeaders },
    });
  }
  return requests;
}

/** Offsets of the characters of a string literal (f-string fields and anything after the literal: -1). */
function literalPythonOffsets(text: string, span: Span): number[] {
  const written = text.slice(span.start, span.end);
  const literal = /^([rfRF]?)(["'])([^"'\\]*)\2$/.exec(written);
  if (!literal) return [...written].map(() => -1);
  let depth = 0;
  return [...written].map((char, i) => {
    if (literal[1].toLowerCase() === 'f' && char === '{') depth++;
    const offset = depth > 0 ? -1 : span.start + i;
    if (literal[1].toLowerCase() === 'f' && char === '}') depth = Math.max(0, depth - 1);
    return offset;
  });
}
