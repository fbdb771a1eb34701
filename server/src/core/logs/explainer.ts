/**
 * Reads log lines one at a time (so a 200 MB log streams through in bounded
 * memory) and gathers incidents: one per signature, with the lines that show
 * it. Pure: the caller feeds lines; joining with config findings is done by
 * the caller with the catalog ids each incident names.
 */
import { parseLogLine } from './entry';
import { maskSecrets } from './mask';
import { SEQUENCE_SIGNATURES, SequenceTracker, type LineRef } from './sequences';
import { SIGNATURE_HINT, SIGNATURE_STATUSES, SIGNATURES } from './signatures';

export interface Incident {
  signature: string;
  title: string;
  explanation: string;
  catalogIds: string[];
  source: string;
  /** The first lines that show it (at most MAX_LINES_PER_INCIDENT). */
  lines: LineRef[];
  /** How many times it was seen in all. */
  count: number;
  /** Key IDs named by the lines (untrusted-key lines). */
  keyIds: string[];
  /** The first line, with secrets masked and cut to a readable length. */
  excerpt: string;
}

export const MAX_LINES_PER_INCIDENT = 20;
const MAX_EXCERPT = 240;
/** Longer lines are cut before parsing: no signature needs more, and a pathological line must stay cheap. */
const MAX_LINE_CHARS = 16_384;
/** An access-log request (`"GET /v2/ HTTP/1.1" 401 `) or a registry request line with its status. */
const REQUEST_WITH_STATUS = /" \d{3} |http\.response\.status=/;
const CORE_START = /initializing configurations\.\.\.|Version: v?\d[\w.-]*, Git commit/;

export class LogExplainer {
  private readonly incidents = new Map<string, Incident>();
  private readonly sequences = new SequenceTracker();
  private coreStart: LineRef | undefined;
  private verificationBeforeStart = false;
  linesRead = 0;

  add(file: string, line: number, rawText: string): void {
    this.linesRead++;
    const text = rawText.length > MAX_LINE_CHARS ? rawText.slice(0, MAX_LINE_CHARS) : rawText;
    // Most lines of a busy log are neither a request with a status nor a line a signature names: one test each passes them over.
    if (!SIGNATURE_HINT.test(text) && !REQUEST_WITH_STATUS.test(text) && !CORE_START.test(text)) return;
    const entry = parseLogLine(text);
    const at = { file, line };
    if (CORE_START.test(entry.message)) this.coreStart ??= at;
    const candidate = SIGNATURE_HINT.test(entry.message) || (entry.http?.status !== undefined && SIGNATURE_STATUSES.has(entry.http.status));
    for (const signature of candidate ? SIGNATURES : []) {
      const match = signature.match(entry);
      if (!match) continue;
      if (signature.id === 'token-verification-error' && !this.coreStart && !this.incidents.has(signature.id)) this.verificationBeforeStart = true;
      const incident = this.incidentFor(signature.id, signature, text);
      this.record(incident, at);
      for (const id of match.keyIds ?? []) if (!incident.keyIds.includes(id) && incident.keyIds.length < 10) incident.keyIds.push(id);
    }
    this.sequences.add(entry, at, text);
  }

  /** The incidents, in the order they were first seen (sequences after single lines). */
  finish(): Incident[] {
    for (const found of this.sequences.finish()) {
      const meta = SEQUENCE_SIGNATURES[found.signature];
      const incident = this.incidentFor(found.signature, meta, found.text);
      for (const at of found.lines) this.record(incident, at);
    }
    const verification = this.incidents.get('token-verification-error');
    if (verification && this.coreStart && !this.verificationBeforeStart) {
      verification.explanation += ` They begin after harbor-core started (${this.coreStart.file}:${this.coreStart.line}): a restart or upgrade gave the answering core a key that the issuing one does not share.`;
    }
    return [...this.incidents.values()];
  }

  private incidentFor(id: string, meta: { title: string; explanation: string; catalogIds: readonly string[]; source: string }, text: string): Incident {
    let incident = this.incidents.get(id);
    if (!incident) {
      const masked = maskSecrets(text.trim());
      incident = {
        signature: id,
        title: meta.title,
        explanation: meta.explanation,
        catalogIds: [...meta.catalogIds],
        source: meta.source,
        lines: [],
        count: 0,
        keyIds: [],
        excerpt: masked.length > MAX_EXCERPT ? `${masked.slice(0, MAX_EXCERPT - 1)}…` : masked,
      };
      this.incidents.set(id, incident);
    }
    return incident;
  }

  private record(incident: Incident, at: LineRef): void {
    incident.count++;
    if (incident.lines.length < MAX_LINES_PER_INCIDENT && !incident.lines.some((l) => l.file === at.file && l.line === at.line)) incident.lines.push(at);
  }
}

/** Explains a whole text at once (the editor's selection or clipboard). */
export function explainText(text: string, file = '<log>'): Incident[] {
  const explainer = new LogExplainer();
  let line = 0;
  for (const raw of text.split('\n')) explainer.add(file, ++line, raw);
  return explainer.finish();
}
