/**
 * Strict PEM framing, as the programs that load Harbor's files apply it (Go
 * `encoding/pem`, OpenSSL/nginx): `-----BEGIN X-----` starts a line, the END
 * line carries the same label and also starts a line, optional RFC 1421
 * headers, then standard base64 (spaces, tabs and CR ignored). Everything that
 * those readers reject becomes a `problem` on the block; nothing throws.
 */
import type { Span } from '../types';

export interface PemBlock {
  label: string;
  /** From the first `-` of the BEGIN marker to the last `-` of the END marker (or the last line read). */
  span: Span;
  /**
   * Decoded DER, or null when the framing or base64 is invalid. A block can have
   * a body and a problem when only some readers reject it (a leading BOM).
   */
  body: Uint8Array | null;
  problem?: string;
  /** RFC 1421 headers such as `Proc-Type` and `DEK-Info` (never key material). */
  headers: Record<string, string>;
}

export interface PemScanOptions {
  /**
   * Accept a BEGIN line indented by spaces/tabs when every line of the block
   * carries the same indentation (a YAML block scalar seen in the raw document).
   * Default false: an indented BEGIN line is an error, as in nginx and Go.
   */
  allowIndent?: boolean;
}

interface Line {
  start: number;
  /** End of the line content, before `\n` (a trailing `\r` is included). */
  end: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      lines.push({ start, end: text.length });
      return lines;
    }
    lines.push({ start, end: nl });
    start = nl + 1;
  }
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const BEGIN_LINE = /^-----BEGIN (.*)-----[ \t\r]*$/;
const END_LINE = /^-----END (.*)-----[ \t\r]*$/;
const INLINE_MARKER = /-----BEGIN ([A-Z0-9 ]+?)-----/;

/** Scans every PEM block in `text`, including malformed ones. */
export function scanPem(text: string, options: PemScanOptions = {}): PemBlock[] {
  const lines = splitLines(text);
  const blocks: PemBlock[] = [];
  const lineText = (i: number) => text.slice(lines[i].start, lines[i].end);
  /** Records a block whose body cannot be framed (one-line or folded PEM) up to its END marker; returns the next line. */
  const skipUnframed = (label: string, markerStart: number, line: number, problem: string): number => {
    const endMarker = `-----END ${label}-----`;
    const endAt = text.indexOf(endMarker, markerStart);
    const spanEnd = endAt >= 0 ? endAt + endMarker.length : lines[line].end;
    blocks.push({ label, span: { start: markerStart, end: spanEnd }, body: null, headers: {}, problem });
    while (line < lines.length && lines[line].end < spanEnd) line++;
    return line + 1;
  };
  let i = 0;
  while (i < lines.length) {
    const raw = lineText(i);
    const idx = raw.indexOf(BEGIN);
    if (idx < 0) {
      i++;
      continue;
    }
    const prefix = raw.slice(0, idx);
    const markerStart = lines[i].start + idx;
    let indent = '';
    let framingProblem: string | undefined;
    let bomProblem: string | undefined;
    if (idx > 0) {
      if (/^[ \t]+$/.test(prefix)) {
        indent = prefix;
        if (!options.allowIndent) {
          framingProblem =
            'the BEGIN line is indented; nginx/OpenSSL and Go only accept a PEM block whose "-----BEGIN" starts the line';
        }
      } else if (prefix === '\uFEFF' && lines[i].start === 0) {
        // OpenSSL 3 skips a BOM; Go's pem.Decode (Harbor core, registry) does not. The body is still decoded.
        bomProblem =
          'the file starts with a byte-order mark before "-----BEGIN": OpenSSL 3 tolerates it, but Go (Harbor core, the registry) finds no PEM block; save it as UTF-8 without BOM';
      } else {
        // Marker in the middle of a line: one-line PEM, YAML-folded PEM, or literal "\n" escapes.
        const inline = INLINE_MARKER.exec(raw.slice(idx));
        if (!inline) {
          i++;
          continue;
        }
        i = skipUnframed(inline[1], markerStart, i, inlineProblem(raw.slice(idx)));
        continue;
      }
    }
    const beginLine = raw.slice(idx);
    const m = BEGIN_LINE.exec(beginLine);
    if (!m || m[1].includes('-----')) {
      const inline = INLINE_MARKER.exec(beginLine);
      if (inline && beginLine.indexOf('-----', BEGIN.length) + 5 < beginLine.trimEnd().length) {
        // Text after the BEGIN marker on the same line: one-line PEM.
        i = skipUnframed(inline[1], markerStart, i, framingProblem ?? inlineProblem(beginLine));
        continue;
      }
      blocks.push({
        label: beginLine.slice(BEGIN.length).replace(/-+[ \t\r]*$/, ''),
        span: { start: markerStart, end: lines[i].start + raw.trimEnd().length },
        body: null,
        headers: {},
        problem: framingProblem ?? 'malformed BEGIN line: it must read "-----BEGIN <TYPE>-----"',
      });
      i++;
      continue;
    }
    const label = m[1];
    const headers: Record<string, string> = {};
    const b64: string[] = [];
    let problem = framingProblem;
    let inHeaders = true;
    let endLine = -1;
    let j = i + 1;
    for (; j < lines.length; j++) {
      let l = lineText(j);
      if (indent) {
        if (l.startsWith(indent)) l = l.slice(indent.length);
        else if (l.trim() !== '') problem ??= `line ${j + 1} does not share the block's indentation`;
      }
      if (l.startsWith(END)) {
        endLine = j;
        const e = END_LINE.exec(l);
        if (!e) problem ??= `malformed END line (line ${j + 1}): it must read "-----END ${label}-----" and nothing else`;
        else if (e[1] !== label) problem ??= `the END line says "${e[1]}" but the block began as "${label}"`;
        break;
      }
      if (l.startsWith(BEGIN)) break; // next block starts: this one is truncated
      const trimmed = l.trimStart();
      if (trimmed.startsWith(END)) {
        endLine = j;
        problem ??= `the END line (line ${j + 1}) is indented; it must start the line`;
        break;
      }
      if (inHeaders && l.includes(':')) {
        const colon = l.indexOf(':');
        headers[l.slice(0, colon).trim()] = l.slice(colon + 1).trim();
        continue;
      }
      const compact = l.replace(/[ \t\r]/g, '');
      if (compact === '') continue;
      inHeaders = false;
      if (!/^[A-Za-z0-9+/=]*$/.test(compact)) {
        problem ??= `line ${j + 1} contains characters that are not base64`;
      }
      b64.push(compact);
    }
    let spanEnd: number;
    if (endLine < 0) {
      problem ??= `no "-----END ${label}-----" line: the block is truncated`;
      const last = j - 1;
      spanEnd = lines[last].start + lineText(last).trimEnd().length;
      i = j; // re-scan from the next BEGIN (or stop at the end)
    } else {
      spanEnd = lines[endLine].start + lineText(endLine).trimEnd().length;
      i = endLine + 1;
    }
    let body: Uint8Array | null = null;
    if (!problem) {
      const joined = b64.join('');
      if (joined.length === 0) problem = 'the PEM block has no base64 body';
      else if (joined.length % 4 !== 0) problem = 'the base64 body is truncated or badly padded (its length is not a multiple of 4)';
      else if (/=[^=]|={3,}/.test(joined)) problem = 'the base64 body has "=" padding before its end';
      else body = new Uint8Array(Buffer.from(joined, 'base64'));
    }
    problem ??= bomProblem;
    blocks.push({ label, span: { start: markerStart, end: spanEnd }, body, headers, ...(problem ? { problem } : {}) });
  }
  return blocks;
}

function inlineProblem(fromMarker: string): string {
  if (fromMarker.includes('\\n')) {
    return 'the PEM block contains literal "\\n" escapes instead of line breaks; nginx/OpenSSL and Go reject it';
  }
  return 'the PEM block is not on its own lines (one-line or YAML-folded PEM); nginx/OpenSSL and Go need "-----BEGIN" at the start of a line and line breaks around the base64 body';
}

/** Canonical PEM text (64-column base64, LF) for a DER body. */
export function toPem(label: string, der: Uint8Array, headers: Record<string, string> = {}): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [`-----BEGIN ${label}-----`];
  const names = Object.keys(headers);
  for (const name of names) lines.push(`${name}: ${headers[name]}`);
  if (names.length > 0) lines.push('');
  for (let p = 0; p < b64.length; p += 64) lines.push(b64.slice(p, p + 64));
  lines.push(`-----END ${label}-----`, '');
  return lines.join('\n');
}
