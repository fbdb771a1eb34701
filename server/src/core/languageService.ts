/**
 * The facade of the analysis core. The LSP server, the CLI and the tests all
 * come through here: a document in, recognition and findings out. Pure: file
 * access is injected, nothing here knows about LSP or `fs`.
 */
import { completionsAt, type CompletionEntry } from './completion';
import { decodeBytes } from './decode';
import { parseLegacyCfg } from './legacyCfg';
import { findIncluder, isHttpFragment } from './nginx/includers';
import type { NginxFile } from './nginx/ast';
import { buildNginxModel, classifyNginx, type NginxRole } from './nginx/model';
import { findAll } from './nginx/walk';
import { parseNginx } from './nginx/parser';
import { recognize } from './recognize';
import { cryptoRandom, type RandomSource } from './secrets';
import { hoverProviders } from './hovers/registry';
import type { HoverResult } from './hovers/hover';
import { allRules, inputRules } from './rules/registry';
import type { InputRule, Report, Rule, RuleContext } from './rules/rule';
import { defaultSettings, effectiveSeverity, type AuditSettings } from './settings';
import { findSuppressions, isSuppressed } from './suppression';
import { keepInBounds } from './reportBounds';
import { compareText, formatCount, LineIndex, sharedEnds } from './text';
import { noFileAccess, type FileAccess, type Finding, type Recognition, type UnreadablePath } from './types';
import { versionsFor } from './versions';
import { CARVEL_SAME_SEMANTICS, locateHelmValues, locateInstallerConfig } from './yaml/harborYaml';
import { parseYaml } from './yaml/yamlModel';

/** Documents above this size are not parsed: a clear finding beats a frozen editor. */
export const MAX_DOCUMENT_CHARS = 8 * 1024 * 1024;

export interface DocumentInput {
  /** How findings name the file (an LSP uri or the CLI's path as given). */
  uri: string;
  /** File-system path, for names and for resolving relative includes and key paths. */
  path?: string;
  text: string;
}

export interface AnalyzeOptions {
  files?: FileAccess;
  settings?: AuditSettings;
  random?: RandomSource;
  /** Folders searched by name for key and certificate files that configs name on another host. */
  searchRoots?: readonly string[];
  /** Lower the size limit (tests); never raises it above {@link MAX_DOCUMENT_CHARS}. */
  maxDocumentChars?: number;
  /**
   * Findings of a rule computed another way than running it on the whole document
   * (the nginx edit path, nginxEdits.ts); undefined runs the rule as usual.
   */
  ruleShortcut?: RuleShortcut;
  /**
   * The model of an earlier version of the document (the server's previous one):
   * what the edit left alone is reused, with the same result: its line index, and
   * its nginx parse outside the block the edit is in (nginx/blockEdit.ts).
   */
  earlier?: RuleContext;
}

/** Runs a rule on a context (the document's, or a view of it) and turns its reports into findings; undefined when it threw. */
export type TryRule = (rule: Rule, context: RuleContext) => Promise<Finding[] | undefined>;
export type RuleShortcut = (rule: Rule, tryRule: TryRule) => Promise<Finding[] | undefined>;

export interface Analysis {
  recognition: Recognition;
  findings: Finding[];
  /** Other files this result depends on (includes, keys): re-check when they change. */
  dependencies: string[];
  /** Key and certificate paths that could not be read here (not findings: hover and summary only). */
  unreadablePaths: UnreadablePath[];
  /** Rules that threw: reported to the caller's log, never as findings. */
  internalErrors: { ruleId: string; message: string }[];
}

export async function analyzeBytes(
  input: Omit<DocumentInput, 'text'> & { bytes: Uint8Array },
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const limit = Math.min(options.maxDocumentChars ?? MAX_DOCUMENT_CHARS, MAX_DOCUMENT_CHARS);
  // Every character takes at most 3 bytes (UTF-8; UTF-16 takes 2): more bytes than that cannot fit, so skip decoding them.
  if (input.bytes.length > 3 * limit + 3) {
    const message = `This file has ${formatCount(input.bytes.length)} bytes, over the ${formatCount(limit)} characters that harbor-audit checks, so it was not checked.`;
    return inputOnly(input, '', inputRules.tooLarge, message, options);
  }
  const decoded = decodeBytes(input.bytes, { maxChars: limit });
  if (decoded.problem?.kind === 'binary') {
    return inputOnly(input, decoded.text, inputRules.notText, decoded.problem.message, options);
  }
  const analysis = await analyzeText({ ...input, text: decoded.text }, options);
  if (decoded.problem?.kind === 'invalid-utf8' && analysis.recognition.kind !== 'not-harbor') {
    const lines = new LineIndex(decoded.text);
    const at = decoded.text.indexOf('\uFFFD');
    const span = at >= 0 ? { start: at, end: at + 1 } : { start: 0, end: 0 };
    analysis.findings.unshift(toFinding(inputRules.encoding, { span, message: decoded.problem.message }, lines, options.settings)!);
  }
  return analysis;
}

/** A document's model, built once per text and shared by its analysis, hovers and completions (the server keeps one per document version). */
export interface PreparedDocument {
  context: RuleContext;
  dependencies: string[];
}

export async function analyzeText(input: DocumentInput, options: AnalyzeOptions = {}, prepared?: PreparedDocument | Promise<PreparedDocument>): Promise<Analysis> {
  const limit = Math.min(options.maxDocumentChars ?? MAX_DOCUMENT_CHARS, MAX_DOCUMENT_CHARS);
  if (input.text.length > limit) {
    return inputOnly(
      input,
      '',
      inputRules.tooLarge,
      `This file has ${formatCount(input.text.length)} characters, over the ${formatCount(limit)} that harbor-audit checks, so it was not checked.`,
      options,
    );
  }
  const settings = options.settings ?? defaultSettings;
  const unreadablePaths = new Map<string, UnreadablePath>();
  const { context, dependencies: built } = await (prepared ?? buildContext(input, options));
  // Every file the rules read (keys through `paths:` mappings, a harbor.yml beside an nginx.conf) is a dependency too.
  const read = new Set<string>();
  const files = recordingReads(context.files, read);
  const noteUnreadable: RuleContext['noteUnreadable'] = (note) => {
    if (!unreadablePaths.has(note.path)) unreadablePaths.set(note.path, { ...note, range: context.lines.rangeOf(note.span) });
  };
  const { lines } = context;
  const dependencies = () => [...new Set([...built, ...read])].filter((path) => path !== input.path);
  if (context.recognition.kind === 'not-harbor') {
    return { recognition: context.recognition, findings: [], dependencies: dependencies(), unreadablePaths: [], internalErrors: [] };
  }

  const internalErrors: Analysis['internalErrors'] = [];
  const findings: Finding[] = [];
  // Related locations in other files carry their file's text; index each text once, not once per finding.
  const lineIndexes = new Map<string, LineIndex>([[input.text, lines]]);
  const runRule = async (rule: Rule, on: RuleContext, errors: Analysis['internalErrors']): Promise<Finding[] | undefined> => {
    const reports: Report[] = [];
    // The Carvel package's data values reuse goharbor key names; only rules whose keys mean the same there see them.
    const helmValues = on.helmValues.filter((target) => target.location !== 'carvel' || CARVEL_SAME_SEMANTICS.has(rule.meta.id));
    try {
      await rule.check({ ...on, files, helmValues, noteUnreadable, report: (report) => reports.push(report) });
    } catch (error) {
      errors.push({ ruleId: rule.meta.id, message: (error as Error)?.stack ?? String(error) });
      return undefined;
    }
    // Findings carry the positions of the text they were computed on (a shortcut may run a rule on an earlier version).
    if (!lineIndexes.has(on.text)) lineIndexes.set(on.text, on.lines);
    const found: Finding[] = [];
    for (const reported of reports) {
      const report = keepInBounds(reported, on.text.length, (problem) => errors.push({ ruleId: rule.meta.id, message: problem }));
      if (!report) continue;
      const finding = toFinding(rule, withIncluderNote(report, on), on.lines, settings, input.uri, lineIndexes);
      if (finding) found.push(finding);
    }
    return found;
  };
  // A shortcut's trial runs report no internal error: when one fails, the rule runs on the whole document.
  const tryRule: TryRule = async (rule, on) => {
    const errors: Analysis['internalErrors'] = [];
    const found = await runRule(rule, on, errors);
    return errors.length === 0 ? found : undefined;
  };
  for (const rule of allRules) {
    if (!rule.meta.appliesTo.includes(context.recognition.kind)) continue;
    if (settings.rules[rule.meta.id] === 'off') continue;
    const found = (await options.ruleShortcut?.(rule, tryRule)) ?? (await runRule(rule, context, internalErrors));
    if (found) findings.push(...found);
  }
  const suppressions = findings.length > 0 ? findSuppressions(input.text, lines) : [];
  const visible = findings.filter((finding) => !isSuppressed(finding, suppressions, lines));
  visible.sort(compareFindings);
  return { recognition: context.recognition, findings: visible, dependencies: dependencies(), unreadablePaths: [...unreadablePaths.values()], internalErrors };
}

/** The order of a document's findings: by position, then by rule (a stable sort keeps each rule's own order). */
export function compareFindings(a: Finding, b: Finding): number {
  return a.span.start - b.span.start || compareText(a.ruleId, b.ruleId);
}

function hasIncludes(file: NginxFile): boolean {
  return findAll(file.directives, 'include').some((include) => !include.templated);
}

/**
 * The model of a document that rules and hovers read: parsed once, per kind.
 * Documents over the size limit are not parsed: callers check the size first.
 */
export async function buildContext(input: DocumentInput, options: AnalyzeOptions = {}): Promise<PreparedDocument> {
  // What building the model reads (includes, an includer, a harbor.yml beside the file) is a dependency;
  // the context keeps the plain access, and each analysis records what its rules read.
  const raw = options.files ?? noFileAccess;
  const read = new Set<string>();
  const files = recordingReads(raw, read);
  const earlier = options.earlier;
  const ends = earlier ? sharedEnds(earlier.text, input.text) : undefined;
  const lines = earlier && ends ? LineIndex.afterEdit(earlier.lines, input.text, ends) : new LineIndex(input.text);
  const earlierNginx = earlier?.nginx && ends ? { file: earlier.nginx.root, ends } : undefined;
  const recognized = recognize(input.text, input.path ?? input.uri, { robotNamePrefix: options.settings?.robotNamePrefix, earlierNginx });
  const context: RuleContext = {
    uri: input.uri,
    path: input.path,
    text: input.text,
    lines,
    recognition: recognized.recognition,
    files: raw,
    pathMappings: options.settings?.paths ?? [],
    robotNamePrefix: options.settings?.robotNamePrefix ?? 'robot$',
    searchRoots: options.searchRoots ?? [],
    noteUnreadable: () => undefined,
    random: options.random ?? cryptoRandom,
    helmValues: [],
    report() {
      throw new Error('report() is bound per rule');
    },
  };
  const dependencies: string[] = [];
  switch (recognized.recognition.kind) {
    case 'helm-values':
    case 'harbor-yml':
    case 'kubernetes-tls-secret':
      context.yaml = recognized.yaml ?? parseYaml(input.text);
      context.helmValues = recognized.helmValues ?? locateHelmValues(context.yaml);
      context.installer = locateInstallerConfig(context.yaml);
      break;
    case 'harbor-cfg':
      context.legacyCfg = parseLegacyCfg(input.text);
      break;
    case 'nginx': {
      const parsed = recognized.nginx ?? parseNginx(input.text, input.path ?? input.uri);
      // A conf.d/sites file is read by nginx inside another file's http {}: find that file when it is in the workspace.
      const includer = input.path && isHttpFragment(parsed) ? await findIncluder(input.path, files, context.searchRoots) : undefined;
      const knownRole = recognized.nginx ? (recognized.recognition.detail as NginxRole | undefined) : undefined;
      context.nginx = await buildNginxModel(parsed, files, input.path ?? input.uri, includer, knownRole);
      dependencies.push(...context.nginx.files.slice(1).map((file) => file.path));
      if (includer) dependencies.push(includer.file.path);
      break;
    }
    case 'harbor-client':
      context.script = recognized.script;
      if (recognized.yaml) context.yaml = recognized.yaml;
      break;
    case 'not-harbor':
      // An nginx.conf whose Harbor servers all sit in included files: recognised through the includes it can read.
      if (recognized.nginx && hasIncludes(recognized.nginx)) {
        const model = await buildNginxModel(recognized.nginx, files, input.path ?? input.uri);
        dependencies.push(...model.files.slice(1).map((file) => file.path));
        if (model.role !== 'unrelated') {
          context.recognition = { kind: 'nginx', reason: classifyNginx(model.root, model.files).reason, detail: model.role };
          context.nginx = model;
        }
      }
      break;
  }
  dependencies.push(...(await versionsFor(context, options.settings)));
  return { context, dependencies: [...new Set([...dependencies, ...read])].filter((path) => path !== input.path) };
}

/** Hover text at an offset: the first provider that knows the place answers. */
export async function hoverAt(input: DocumentInput, offset: number, options: AnalyzeOptions = {}, prepared?: PreparedDocument | Promise<PreparedDocument>): Promise<HoverResult | undefined> {
  if (input.text.length > Math.min(options.maxDocumentChars ?? MAX_DOCUMENT_CHARS, MAX_DOCUMENT_CHARS)) return undefined;
  const { context } = await (prepared ?? buildContext(input, options));
  for (const provider of hoverProviders) {
    if (!provider.appliesTo.includes(context.recognition.kind)) continue;
    try {
      const result = await provider.hover({ ...context, offset });
      if (result) return result;
    } catch {
      // A hover that fails shows nothing; diagnostics report rule failures.
    }
  }
  return undefined;
}

/** Keys and values the version of this file accepts at an offset (chart values and harbor.yml). */
export async function completionAt(input: DocumentInput, offset: number, options: AnalyzeOptions = {}, prepared?: PreparedDocument | Promise<PreparedDocument>): Promise<CompletionEntry[]> {
  if (input.text.length > Math.min(options.maxDocumentChars ?? MAX_DOCUMENT_CHARS, MAX_DOCUMENT_CHARS)) return [];
  const { context } = await (prepared ?? buildContext(input, options));
  return completionsAt(context, offset);
}

function toFinding(
  rule: Rule | InputRule,
  report: Report,
  lines: LineIndex,
  settings: AuditSettings = defaultSettings,
  uri = '',
  lineIndexes = new Map<string, LineIndex>(),
): Finding | undefined {
  const severity = effectiveSeverity(settings, rule.meta, report.severity ?? rule.meta.defaultSeverity);
  if (severity === 'off') return undefined;
  return {
    ruleId: rule.meta.id,
    catalogId: rule.meta.catalogId,
    severity,
    message: report.message,
    ...detailOf(report),
    span: report.span,
    range: lines.rangeOf(report.span),
    related: (report.related ?? []).map((related) => {
      let relatedLines = lines;
      if (related.text !== undefined) {
        relatedLines = lineIndexes.get(related.text) ?? new LineIndex(related.text);
        lineIndexes.set(related.text, relatedLines);
      }
      return { file: related.file ?? uri, range: relatedLines.rangeOf(related.span), message: related.message };
    }),
    fixes: (report.fixes ?? []).map((fix) => ({ title: fix.title, safety: fix.safety, edits: fix.edits })),
  };
}

/**
 * The finding's markdown detail. Display-only fixes are guidance, not edits: the
 * editor offers no code action for them, so their text is part of the detail.
 */
function detailOf(report: Report): { detail?: string } {
  const fixes = report.fixes ?? [];
  const guidance = fixes.filter((fix) => fix.safety === 'display-only').map((fix) => `**What to do:** ${fix.title}.${fix.note ? ` ${fix.note}` : ''}`);
  const notes = fixes.filter((fix) => fix.safety !== 'display-only' && fix.note).map((fix) => `**Quick fix: ${fix.title}** (${fix.safety}). ${fix.note}`);
  const parts = [report.detail, ...guidance, ...notes].filter((part): part is string => !!part);
  return parts.length > 0 ? { detail: parts.join('\n\n') } : {};
}

function inputOnly(input: Omit<DocumentInput, 'text'>, text: string, rule: InputRule, message: string, options: AnalyzeOptions): Analysis {
  const lines = new LineIndex(text);
  const finding = toFinding(rule, { span: { start: 0, end: 0 }, message }, lines, options.settings, input.uri);
  return {
    recognition: { kind: 'not-harbor', reason: message },
    findings: finding ? [finding] : [],
    dependencies: [],
    unreadablePaths: [],
    internalErrors: [],
  };
}

/** The same file access, noting the path of every file read (found or not: a missing key may appear later). */
function recordingReads(files: FileAccess, read: Set<string>): FileAccess {
  const { listDirectory, findByName } = files;
  return {
    readFile: (path, options) => {
      if (read.size < 10_000) read.add(path);
      return files.readFile(path, options);
    },
    glob: (pattern) => files.glob(pattern),
    ...(listDirectory ? { listDirectory: (path: string) => listDirectory.call(files, path) } : {}),
    ...(findByName ? { findByName: (name: string, roots: readonly string[]) => findByName.call(files, name, roots) } : {}),
  };
}

/** A finding in a conf.d/sites file analysed inside its includer's http {}: say which file that is. */
export const INCLUDER_NOTE = 'nginx reads this file through this include, inside http {}, whose settings apply to it';

function withIncluderNote(report: Report, context: RuleContext): Report {
  const includer = context.nginx?.includer;
  if (!includer) return report;
  const note = { file: includer.file.path, span: includer.include.span, message: INCLUDER_NOTE, text: includer.file.text };
  return { ...report, related: [...(report.related ?? []), note] };
}
