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
  /** One line, cause first (the editor's diagnostic message). */
  summary: string;
  explanation: string;
  catalogIds: string[];
  source: string;
  /** The first lines that show it (at most MAX_LINES_PER_INCIDENT, or the explainer's own limit). */
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
  private readonly maxLinesPerIncident: number;
  linesRead = 0;

  /** `maxLinesPerIncident`: how many lines each incident keeps (the editor marks every line, the reports list the first few). */
  constructor(options: { maxLinesPerIncident?: number } = {}) {
    this.maxLinesPerIncident = options.maxLinesPerIncident ?? MAX_LINES_PER_INCIDENT;
  }

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

  private incidentFor(id: string, meta: { title: string; summary: string; explanation: string; catalogIds: readonly string[]; source: string }, text: string): Incident {
    let incident = this.incidents.get(id);
    if (!incident) {
      const masked = maskSecrets(text.trim());
      incident = {
        signature: id,
        title: meta.title,
        summary: meta.summary,
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
    if (incident.lines.length < this.maxLinesPerIncident && !incident.lines.some((l) => l.file === at.file && l.line === at.line)) incident.lines.push(at);
  }
}

export interface ExplainTextOptions {
  /** The number of the text's first line (a selection that starts further down a document). */
  firstLine?: number;
  /** Lines past this many are not read; the result says where it stopped. */
  maxLines?: number;
  maxLinesPerIncident?: number;
}

export interface ExplainedText {
  incidents: Incident[];
  linesRead: number;
  /** The number of the first line not read, when `maxLines` stopped the reading. */
  stoppedAt?: number;
}

/** Explains a whole text at once (a selection, the clipboard, a document), reading at most `maxLines` lines. */
export function explainTextBounded(text: string, file: string, options: ExplainTextOptions = {}): ExplainedText {
  const run = new TextRun(text, file, options);
  while (!run.step(Infinity));
  return run.result();
}

/**
 * The same, a slice of lines at a time with `pause()` between slices, so that a
 * server answers other requests meanwhile; `pause` may throw to give up (the
 * document changed).
 */
export async function explainTextInSlices(text: string, file: string, options: ExplainTextOptions, pause: () => Promise<void>, sliceLines = 5000): Promise<ExplainedText> {
  const run = new TextRun(text, file, options);
  while (!run.step(sliceLines)) await pause();
  return run.result();
}

/** A text read line by line into an explainer; a final newline ends the last line, it does not start another. */
class TextRun {
  private readonly explainer: LogExplainer;
  private readonly first: number;
  private readonly maxLines: number;
  private start = 0;
  private read = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    options: ExplainTextOptions,
  ) {
    this.explainer = new LogExplainer(options);
    this.first = options.firstLine ?? 1;
    this.maxLines = options.maxLines ?? Infinity;
  }

  /** Reads up to `lines` lines; true when the text (or the line limit) is done. */
  step(lines: number): boolean {
    for (let i = 0; i < lines; i++) {
      if (this.done()) return true;
      const end = this.text.indexOf('\n', this.start);
      this.explainer.add(this.file, this.first + this.read, this.text.slice(this.start, end < 0 ? this.text.length : end));
      this.read++;
      this.start = end < 0 ? this.text.length : end + 1;
    }
    return this.done();
  }

  result(): ExplainedText {
    const stopped = this.start < this.text.length;
    return { incidents: this.explainer.finish(), linesRead: this.read, ...(stopped ? { stoppedAt: this.first + this.read } : {}) };
  }

  private done(): boolean {
    return this.start >= this.text.length || this.read >= this.maxLines;
  }
}

export function explainText(text: string, file = '<log>'): Incident[] {
  return explainTextBounded(text, file).incidents;
}
