/**
 * The language server: a thin layer that turns LSP requests into calls on the
 * analysis core and its results into LSP types. Works with VS Code and any
 * other LSP client (pull diagnostics where supported, push otherwise).
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DocumentDiagnosticReportKind,
  FileChangeType,
  ResponseError,
  LSPErrorCodes,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { actionsForFinding, fixAllAction, type Action } from '../core/codeActions';
import { combineHovers, findingsHover } from '../core/hovers/findings';
import { fixToFixpoint } from '../core/fixAll';
import { commentLines, contextForCompletion, reuseAfterCommentEdit } from '../core/incremental';
import { nginxEditBase, nginxEditShortcut, sameDiagnostics, type NginxEditBase } from '../core/nginxEdits';
import type { RuleContext } from '../core/rules/rule';
import { analyzeBytes, analyzeText, buildContext, completionAt, hoverAt, MAX_DOCUMENT_CHARS, type Analysis, type PreparedDocument } from '../core/languageService';
import { isLogDocument, LOG_LINES_NOT_READ, logFindings, MAX_EDITOR_LINES_PER_INCIDENT, MAX_EDITOR_LOG_LINES, withSeveritySettings } from '../core/logs/document';
import { explainTextInSlices } from '../core/logs/explainer';
import { joinCauses, type KeyMatch } from '../core/logs/report';
import { findRuleMeta } from '../core/rules/registry';
import { VERSION } from '../cli/version';
import { mergeSettings, parseSettingsFile, readPathMappings, readRuleSeverities, type AuditSettings, isIgnored } from '../core/settings';
import { formatCount, LineIndex, sharedEnds } from '../core/text';
import { reusingEarlierParse } from '../core/yaml/yamlModel';
import type { FileAccess, Finding, Severity } from '../core/types';
import { createNodeFileAccess, type NodeFileAccessOptions } from '../node/nodeFileAccess';
import { findKeyById } from '../node/keyTools';
import { walkFolder, WALK_MAX_BYTES } from '../node/walk';
import { EXPLAIN_LOG_TEXT, explainLog, markdownLink, needsWorkspace, readExplainParams, type WorkspaceReports } from './explainLog';
import { WorkspaceFindings } from './workspaceFindings';
import { executeKeyCommand, KEY_COMMANDS } from './keyCommands';

export interface ServerRuntime {
  /** Folder holding `<rule-id>.md`, for codeDescription links and "show documentation". */
  docsRoot: string;
  /** Milliseconds to wait after a change before a pushed re-check. */
  debounceMs?: number;
  /** How files are read (tests slow it down or watch it); the node file system by default. */
  createFileAccess?: (options?: NodeFileAccessOptions) => FileAccess;
}

export const STATUS_NOTIFICATION = 'harborAudit/status';
export const AUDIT_WORKSPACE_REQUEST = 'harborAudit/auditWorkspace';
export const AUDIT_PROGRESS_NOTIFICATION = 'harborAudit/auditProgress';
/**
 * The automatic audit when a workspace opens stops at this many candidate
 * files (measured: about 4 ms per file on a loaded 2-core machine, so ~8 s
 * of background work at most); the command has no limit.
 */
export const AUTO_AUDIT_MAX_FILES = 2000;

export interface AuditWorkspaceParams {
  /** The automatic run: skipped above {@link AUTO_AUDIT_MAX_FILES}. */
  automatic?: boolean;
}

export interface AuditWorkspaceResult {
  candidates: number;
  checked: number;
  harborFiles: number;
  findings: number;
  ms: number;
  cancelled: boolean;
  /** Set when the automatic run did not start. */
  skipped?: string;
}
const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
const FIX_ALL_KIND = 'source.fixAll.harborAudit';

const CONFIG_FILE = '.harbor-audit.yaml';
const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

/** After an edit to a config, open logs are explained again once typing pauses this long. */
const LOG_REFRESH_MS = 1000;

interface LogAnalysis {
  findings: Finding[];
  /** Whether the workspace's findings were joined (the log must be explained again when they change). */
  joined: boolean;
}

/** A result is current only for the very document object (a reopened document starts again at version 1) and version it was computed from. */
interface CachedAnalysis {
  document: TextDocument;
  version: number;
  analysis: Analysis;
  /** The text it was computed from, and its comment lines: an edit inside a comment reuses it (core/incremental.ts). */
  text: string;
  comments?: number[];
  /** A front-proxy nginx.conf's model and findings: an edit inside one server block re-checks that server only (core/nginxEdits.ts). */
  nginx?: NginxEditBase;
}

/** Closing a document this large collects garbage at once (issue 11 item 11: RSS back under 150 MB within 2 s after closing 50 MB). */
const LARGE_DOCUMENT_CHARS = 4 * 1024 * 1024;
let fullGc: (() => void) | undefined;
/** A full collection shortly after (the closing notification's own objects are garbage by then), at most one pending. */
let gcTimer: NodeJS.Timeout | undefined;
function collectGarbageSoon(): void {
  if (gcTimer) return;
  gcTimer = setTimeout(() => {
    gcTimer = undefined;
    try {
      // Node's documented way to reach V8's gc() without starting node with --expose-gc.
      if (!fullGc) {
        setFlagsFromString('--expose-gc');
        fullGc = runInNewContext('gc') as () => void;
      }
      fullGc();
      // Objects that survived the first pass because the first one freed what held them.
      setTimeout(() => fullGc?.(), 300).unref();
    } catch {
      // Without it, the memory comes back at V8's next major collection.
    }
  }, 100);
  gcTimer.unref();
}

/** Documents whose parsed model is kept (the ones being typed in): the analysis, hovers and completions of a version share it. */
const PREPARED_DOCUMENTS = 4;

/**
 * A document version's model. `readers` counts the requests it was handed to and
 * `analysed` says that its version's analysis is done with it: when that analysis
 * was its only reader, the next version's model may take over its YAML documents
 * in place (core/yaml/scalarEdit.ts) instead of copying them.
 */
interface PreparedEntry {
  document: TextDocument;
  version: number;
  settingsKey: string;
  promise: Promise<PreparedDocument>;
  /** The built model, which the next version's build reuses where the edit left it alone (its YAML parse, its line index, its nginx parse outside the edited block). */
  context?: RuleContext;
  readers: number;
  analysed: boolean;
}

export function startServer(connection: Connection, runtime: ServerRuntime): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, CachedAnalysis>();
  /** The model of a document version (parse, includes, versions), most recently used last; cleared with the analyses. */
  const prepared = new Map<string, PreparedEntry>();
  const modelEntries = new WeakMap<Promise<PreparedDocument>, PreparedEntry>();
  /** For completion only (never for diagnostics): the last earlier model it reused, with the text of the version it answered for. */
  const completionModels = new Map<string, { document: TextDocument; version: number; settingsKey: string; promise: Promise<PreparedDocument> }>();
  const inFlight = new Map<string, { document: TextDocument; version: number; generation: number; promise: Promise<Analysis> }>();
  const pushTimers = new Map<string, NodeJS.Timeout>();
  let workspaceRoots: string[] = [];
  let fileSettings: AuditSettings = { rules: {}, ignore: [] };
  // Requests can arrive before .harbor-audit.yaml is read; they wait for it instead of using defaults.
  let fileSettingsLoaded: Promise<void> = Promise.resolve();
  const editorSettings = new Map<string, AuditSettings>();
  const createFileAccess = runtime.createFileAccess ?? createNodeFileAccess;
  let files: FileAccess = createFileAccess();
  let pullDiagnostics = false;
  let canConfigure = false;
  let canRefresh = false;
  let canShowDocument = false;
  /** Files not open whose findings the workspace audit published (uri → true); cleared as they open. */
  const auditPublished = new Set<string>();
  let workspaceAudited = false;
  let trusted = true;
  /** Explained logs, per document version and workspace generation. */
  const logCache = new Map<string, { document: TextDocument; version: number; generation: number; promise: Promise<LogAnalysis> }>();
  /** Bumped whenever a config in the workspace may have changed: joined log results of older generations are stale. */
  let generation = 0;
  /** The generation in which each path last changed, and in which settings (or everything) last did. */
  const changedIn = new Map<string, number>();
  let everythingChangedIn = 0;
  /** Whether something an analysis read (or settings) changed after it started in `generation`. */
  const outdated = (analysis: Analysis, startedIn: number): boolean =>
    everythingChangedIn > startedIn || analysis.dependencies.some((path) => (changedIn.get(path) ?? 0) > startedIn);
  const workspaceFindings = new WorkspaceFindings({
    candidates: (token) => workspaceCandidates(token),
    analyze: (uri) => workspaceFileAnalysis(uri),
    pathOf,
    onError: (uri, error) => connection.console.error(`explain: ${uri}: ${(error as Error)?.message ?? error}`),
  });
  const keyMatchCache = new Map<string, Promise<KeyMatch[]>>();
  let logRefreshTimer: NodeJS.Timeout | undefined;
  const logDocuments = new WeakMap<TextDocument, { version: number; log: boolean }>();

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    pullDiagnostics = !!caps.textDocument?.diagnostic;
    canConfigure = !!caps.workspace?.configuration;
    canRefresh = !!caps.workspace?.diagnostics?.refreshSupport;
    canShowDocument = !!caps.window?.showDocument?.support;
    workspaceRoots = (params.workspaceFolders ?? []).map((folder) => fileURLToPath(folder.uri));
    if (workspaceRoots.length === 0 && params.rootUri) workspaceRoots = [fileURLToPath(params.rootUri)];
    const options = (params.initializationOptions ?? {}) as { trusted?: boolean; rules?: unknown; paths?: unknown };
    // An untrusted workspace may point includes and key paths at anything on this machine.
    trusted = options.trusted !== false;
    if (options.trusted === false) files = createFileAccess({ allowedRoots: workspaceRoots });
    if (options.rules || options.paths) editorSettings.set('', { rules: readRuleSeverities(options.rules), ignore: [], ...editorPaths(options.paths, '') });
    fileSettingsLoaded = loadFileSettings();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        diagnosticProvider: { interFileDependencies: true, workspaceDiagnostics: false, identifier: 'harbor-audit' },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [' '], resolveProvider: false },
        executeCommandProvider: { commands: ['harborAudit.showRuleDocs', ...KEY_COMMANDS, EXPLAIN_LOG_TEXT] },
      },
      serverInfo: { name: 'harbor-audit', version: VERSION },
    };
  });

  connection.onInitialized(async () => {
    connection.console.info(`harbor-audit ${VERSION} started: ${workspaceRoots.length} workspace folder(s), ${trusted ? 'trusted' : 'untrusted (no file outside the workspace is read)'}, ${pullDiagnostics ? 'pull' : 'push'} diagnostics`);
    if (canConfigure) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: 'harborAudit' }).catch(() => undefined);
    }
  });

  async function loadFileSettings(): Promise<void> {
    const merged: AuditSettings[] = [];
    for (const root of workspaceRoots) {
      const path = join(root, CONFIG_FILE);
      // Through `files`: in an untrusted workspace the settings file may be a symlink or a FIFO like any other.
      const read = await files.readFile(path, { maxBytes: MAX_SETTINGS_FILE_BYTES });
      if (!read.ok) {
        if (read.problem !== 'missing') connection.console.warn(`${path} was not read: ${read.message}`);
        continue;
      }
      try {
        const { settings, problems } = parseSettingsFile(new TextDecoder().decode(read.bytes), root);
        for (const problem of problems) connection.console.warn(`${path}: ${problem.message}`);
        merged.push(settings);
      } catch (error) {
        connection.console.warn(`${path}: ${(error as Error).message}`);
      }
    }
    fileSettings = mergeSettings(...merged);
  }

  async function settingsFor(uri: string): Promise<AuditSettings> {
    await fileSettingsLoaded;
    let editor = editorSettings.get(uri) ?? editorSettings.get('');
    if (canConfigure && !editorSettings.has(uri)) {
      try {
        const section = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'harborAudit' })) as { rules?: unknown; paths?: unknown } | null;
        editor = { rules: readRuleSeverities(section?.rules), ignore: [], ...editorPaths(section?.paths, uri) };
        editorSettings.set(uri, editor);
      } catch {
        // A client that says it supports configuration but fails: fall back to the file settings.
      }
    }
    return mergeSettings(fileSettings, editor ?? {});
  }

  /** `harborAudit.paths`: relative targets are relative to the workspace folder that holds the document. */
  function editorPaths(value: unknown, uri: string): Pick<AuditSettings, 'paths'> {
    if (value === undefined || value === null) return {};
    const path = pathOf(uri);
    const base = (path && workspaceRoots.find((root) => path.startsWith(root))) ?? workspaceRoots[0] ?? '/';
    const problems: { message: string }[] = [];
    const paths = readPathMappings(value, base, problems);
    for (const problem of problems) connection.console.warn(`harborAudit.paths: ${problem.message}`);
    return paths.length > 0 ? { paths } : {};
  }

  function pathOf(uri: string): string | undefined {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  }

  function isIgnoredUri(uri: string, settings: AuditSettings): boolean {
    const path = pathOf(uri);
    if (!path || settings.ignore.length === 0) return false;
    return workspaceRoots.some((root) => path.startsWith(root) && isIgnored(path.slice(root.length + 1).split('\\').join('/'), settings.ignore));
  }

  /**
   * Analyses a document version once, however many requests ask for it. The
   * text and version are read before the first await: an edit that arrives
   * while the analysis waits (for settings, includes, keys) updates the same
   * TextDocument object in place, and its result must not be filed under the
   * newer version.
   */
  async function analysisOf(document: TextDocument): Promise<Analysis> {
    const version = document.version;
    const cached = cache.get(document.uri);
    if (cached?.document === document && cached.version === version) return cached.analysis;
    const running = inFlight.get(document.uri);
    // An analysis that started before settings changed is not handed out; one whose files changed meanwhile is not kept.
    const startedIn = generation;
    if (running?.document === document && running.version === version && running.generation >= everythingChangedIn) return running.promise;
    const text = document.getText();
    let comments: number[] | undefined;
    let nginx: NginxEditBase | undefined;
    const promise = (async () => {
      // Typing in a comment: the previous version's findings, moved (nothing is parsed or checked again).
      // Where this version differs from the last analysed one, found once for the comment and the nginx edit paths.
      const ends = cached?.document === document && text.length <= MAX_DOCUMENT_CHARS ? sharedEnds(cached.text, text) : undefined;
      if (cached && ends) {
        const reused = reuseAfterCommentEdit({ uri: document.uri, ...cached }, text, ends);
        if (reused) {
          comments = reused.comments;
          if (reused.sameDiagnostics) resultIds.set(reused.analysis, resultIdOf(cached.analysis));
          return reused.analysis;
        }
      }
      const settings = await settingsFor(document.uri);
      if (isIgnoredUri(document.uri, settings)) {
        return { recognition: { kind: 'not-harbor', reason: 'ignored by .harbor-audit.yaml' }, findings: [], dependencies: [], unreadablePaths: [], internalErrors: [] } as Analysis;
      }
      const input = { uri: document.uri, path: pathOf(document.uri), text };
      const options = { files, settings, searchRoots: workspaceRoots };
      const prepared = preparedOf(document, version, text, settings);
      const settingsKey = JSON.stringify(settings);
      const base = cached?.document === document ? cached.nginx : undefined;
      const baseEnds = base?.text === cached?.text ? ends : undefined;
      const ruleShortcut = base && prepared ? await prepared.then(({ context }) => nginxEditShortcut(base, context, settingsKey, document.uri, context.text === text ? baseEnds : undefined), () => undefined) : undefined;
      const analysis = await analyzeText(input, { ...options, ruleShortcut }, prepared);
      // Typing in a value often changes no diagnostic: the editor keeps what it shows.
      if (ruleShortcut && sameDiagnostics(cached!.analysis.findings, analysis.findings)) resultIds.set(analysis, resultIdOf(cached!.analysis));
      if (prepared) {
        const { context } = await prepared;
        comments = commentLines(context);
        if (analysis.internalErrors.length === 0) nginx = nginxEditBase(context, analysis.findings, settingsKey);
      }
      const entry = prepared && modelEntries.get(prepared);
      if (entry) entry.analysed = true;
      for (const failure of analysis.internalErrors) connection.console.error(`rule ${failure.ruleId} failed on ${document.uri}: ${failure.message}`);
      return analysis;
    })();
    inFlight.set(document.uri, { document, version, generation: startedIn, promise });
    try {
      const analysis = await promise;
      const stillCurrent = documents.get(document.uri) === document && document.version === version && !outdated(analysis, startedIn);
      if (stillCurrent) {
        cache.set(document.uri, { document, version, analysis, text, comments, nginx });
        if (!isLog(document)) connection.sendNotification(STATUS_NOTIFICATION, { uri: document.uri, kind: analysis.recognition.kind, reason: analysis.recognition.reason, detail: analysis.recognition.detail });
      }
      return analysis;
    } finally {
      if (inFlight.get(document.uri)?.promise === promise) inFlight.delete(document.uri);
    }
  }

  /**
   * The model of this version of the document, built once for its analysis,
   * hovers and completions. Undefined over the size limit (nothing is parsed).
   */
  function preparedOf(document: TextDocument, version: number, text: string, settings: AuditSettings): Promise<PreparedDocument> | undefined {
    if (text.length > MAX_DOCUMENT_CHARS) return undefined;
    const settingsKey = modelSettingsKey(settings);
    const known = prepared.get(document.uri);
    prepared.delete(document.uri);
    if (known?.document === document && known.version === version && known.settingsKey === settingsKey) {
      prepared.set(document.uri, known);
      known.readers++;
      return known.promise;
    }
    // Typing in a value: the parse of the version before, with the one scalar changed (core/yaml/scalarEdit.ts);
    // changed in place when nothing but its own, finished analysis read it (else copied).
    const earlierContext = known?.document === document && known.version < version ? known.context : undefined;
    const consume = known?.readers === 1 && known.analysed;
    const { result: promise } = reusingEarlierParse(earlierContext?.yaml, () => buildContext({ uri: document.uri, path: pathOf(document.uri), text }, { files, settings, searchRoots: workspaceRoots, earlier: earlierContext }), { consume });
    const entry: PreparedEntry = { document, version, settingsKey, promise, readers: 1, analysed: false };
    modelEntries.set(promise, entry);
    // A failed build is not kept: the next request tries again.
    promise.then(
      (model) => (entry.context = model.context),
      () => {
        if (prepared.get(document.uri)?.promise === promise) prepared.delete(document.uri);
      },
    );
    prepared.set(document.uri, entry);
    while (prepared.size > PREPARED_DOCUMENTS) prepared.delete(prepared.keys().next().value!);
    return promise;
  }

  /** Only these settings shape the model; rule severities apply after the rules ran. */
  function modelSettingsKey(settings: AuditSettings): string {
    return JSON.stringify([settings.paths, settings.robotNamePrefix, settings.chartVersion, settings.harborVersion]);
  }

  /**
   * For a completion right after a keystroke: the model of an earlier version when
   * the edit cannot have changed what completion reads from it (core/incremental.ts),
   * instead of parsing the document again.
   */
  async function earlierModelFor(document: TextDocument, version: number, text: string, settings: AuditSettings): Promise<PreparedDocument | undefined> {
    const settingsKey = modelSettingsKey(settings);
    const built = prepared.get(document.uri);
    const reused = completionModels.get(document.uri);
    // The most recent of the model built for diagnostics and the one completion reused last (typing goes on from there).
    const earlier = [reused, built].filter((entry) => entry?.document === document && entry.version < version && entry.settingsKey === settingsKey).sort((a, b) => b!.version - a!.version)[0];
    if (!earlier) return undefined;
    if (earlier === built) built.readers++; // completion may keep reading its model: never taken over in place
    const context = contextForCompletion((await earlier.promise).context, text);
    if (!context) return undefined;
    const model = { context, dependencies: [] };
    completionModels.set(document.uri, { document, version, settingsKey, promise: Promise.resolve(model) });
    return model;
  }

  /** The analysis of the document as it is when the result is ready: re-run when an edit overtook it (bounded, for a client typing without pause). */
  async function currentAnalysis(document: TextDocument): Promise<Analysis> {
    let analysis = await analysisOf(document);
    for (let attempt = 0; attempt < 3 && documents.get(document.uri) === document && cache.get(document.uri)?.analysis !== analysis; attempt++) {
      analysis = await analysisOf(document);
    }
    return analysis;
  }

  function toDiagnostic(finding: Finding, docs: (ruleId: string) => string = docsUri): Diagnostic {
    return {
      range: finding.range,
      severity: SEVERITY[finding.severity],
      code: finding.ruleId,
      codeDescription: { href: docs(finding.ruleId) },
      source: 'harbor-audit',
      message: finding.catalogId ? `${finding.message} [${finding.catalogId}]` : finding.message,
      relatedInformation: finding.related.map((related) => ({
        location: { uri: fileUri(related.file), range: related.range },
        message: related.message,
      })),
    };
  }

  // URIs memoised: a large file has thousands of findings over a handful of rules and files,
  // and pathToFileURL on each was a measurable share of a keystroke's pull.
  const uris = new Map<string, string>();

  function fileUri(file: string): string {
    let uri = uris.get(file);
    if (uri === undefined) {
      uri = file.includes('://') ? file : pathToFileURL(file).toString();
      if (uris.size > 10_000) uris.clear();
      uris.set(file, uri);
    }
    return uri;
  }

  function docsUri(ruleId: string): string {
    return fileUri(join(runtime.docsRoot, `${ruleId}.md`));
  }

  /**
   * Result ids of pulled diagnostics: an analysis reused after a comment edit
   * whose diagnostics did not move keeps its predecessor's id, so a client that
   * sends it back gets "unchanged" instead of thousands of diagnostics again.
   */
  const resultIds = new WeakMap<Analysis, string>();
  let nextResultId = 0;
  function resultIdOf(analysis: Analysis): string {
    let id = resultIds.get(analysis);
    if (id === undefined) resultIds.set(analysis, (id = String(++nextResultId)));
    return id;
  }

  /** A log diagnostic's page: its signature's section of docs/log-signatures.md (some signatures share a rule's id, not its page). */
  function logDocsUri(signature: string): string {
    return `${fileUri(join(runtime.docsRoot, '..', 'log-signatures.md'))}#${signature}`;
  }

  /** Is this document a log (by name, the client's language id, or content)? Decided once per version. */
  function isLog(document: TextDocument): boolean {
    const known = logDocuments.get(document);
    if (known?.version === document.version) return known.log;
    const log = document.languageId === 'log' || isLogDocument(pathOf(document.uri) ?? document.uri, document.getText());
    logDocuments.set(document, { version: document.version, log });
    return log;
  }

  /** The diagnostics of an open document: a log's explained lines, or a config's findings. */
  async function diagnosticsOf(document: TextDocument, current: boolean): Promise<Diagnostic[]> {
    if (isLog(document)) return (await logAnalysisOf(document)).findings.map((finding) => toDiagnostic(finding, logDocsUri));
    return (await (current ? currentAnalysis(document) : analysisOf(document))).findings.map((finding) => toDiagnostic(finding));
  }

  /**
   * A log explained: incidents on its lines, joined with the workspace's config
   * findings and key files (the workspace audit's walk and confinement; skipped
   * above the automatic audit's size limit). Read up to MAX_EDITOR_LOG_LINES lines.
   */
  function logAnalysisOf(document: TextDocument): Promise<LogAnalysis> {
    const cached = logCache.get(document.uri);
    if (cached?.document === document && cached.version === document.version && cached.generation === generation) return cached.promise;
    const text = document.getText();
    const version = document.version;
    const entry = { document, version, generation, promise: Promise.resolve<LogAnalysis>({ findings: [], joined: false }) };
    // A long log is read a slice at a time, answering other requests in between, and given up once the user has typed past it.
    const pause = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (documents.get(document.uri) !== document || document.version !== version) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'document changed', { retriggerRequest: true });
    };
    entry.promise = (async () => {
      const settings = await settingsFor(document.uri);
      if (isIgnoredUri(document.uri, settings)) {
        connection.sendNotification(STATUS_NOTIFICATION, { uri: document.uri, kind: 'log', reason: 'Harbor log, ignored by .harbor-audit.yaml' });
        return { findings: [], joined: false };
      }
      const read = await explainTextInSlices(text, document.uri, { maxLines: MAX_EDITOR_LOG_LINES, maxLinesPerIncident: MAX_EDITOR_LINES_PER_INCIDENT }, pause);
      const joined = needsWorkspace(read.incidents);
      let workspace: WorkspaceReports = { reports: [], checked: 0 };
      let keyMatches: KeyMatch[] = [];
      if (joined) {
        workspace = await workspaceFindings.reports(undefined, AUTO_AUDIT_MAX_FILES);
        keyMatches = await keyMatchesFor([...new Set(read.incidents.flatMap((incident) => incident.keyIds))]);
      }
      const note = workspace.skipped ? `Causes were not looked up in the workspace: ${workspace.skipped}.` : undefined;
      const explained = logFindings(text, document.uri, joinCauses(read.incidents, workspace.reports, keyMatches), { link: (file, line) => markdownLink(file, line, workspaceRoots), note });
      if (read.stoppedAt !== undefined) {
        const lines = new LineIndex(text);
        const line = read.stoppedAt - 1;
        const span = { start: lines.lineStart(line), end: lines.lineEnd(line) };
        explained.push({
          ruleId: LOG_LINES_NOT_READ,
          catalogId: null,
          severity: 'info',
          message: `Not explained from here on: the editor reads the first ${formatCount(MAX_EDITOR_LOG_LINES)} lines of a log (harbor-audit explain reads all)`,
          detail: `This log has more than ${formatCount(MAX_EDITOR_LOG_LINES)} lines; the editor explains the first ${formatCount(MAX_EDITOR_LOG_LINES)} so that it stays responsive. **Harbor: Explain Log…** on a selection reads up to a million lines, and \`harbor-audit explain --log FILE\` streams a log of any length.`,
          span,
          range: lines.rangeOf(span),
          related: [],
          fixes: [],
        });
      }
      const findings = withSeveritySettings(explained, settings);
      const incidents = new Set(findings.filter((finding) => finding.ruleId !== LOG_LINES_NOT_READ).map((finding) => finding.ruleId)).size;
      const reason = `Harbor log: ${incidents} known error${incidents === 1 ? '' : 's'} in ${formatCount(read.linesRead)} line${read.linesRead === 1 ? '' : 's'}${read.stoppedAt !== undefined ? ' read' : ''}`;
      if (documents.get(document.uri) === document) connection.sendNotification(STATUS_NOTIFICATION, { uri: document.uri, kind: 'log', reason });
      return { findings, joined };
    })();
    logCache.set(document.uri, entry);
    entry.promise.catch(() => {
      if (logCache.get(document.uri) === entry) logCache.delete(document.uri);
    });
    return entry.promise;
  }

  /** Every candidate file of the workspace (the workspace audit's walk, with .harbor-audit.yaml's ignore). */
  async function workspaceCandidates(token?: CancellationToken): Promise<string[]> {
    const candidates: string[] = [];
    for (const root of workspaceRoots) {
      const settings = await settingsFor(pathToFileURL(root).toString());
      const inner = await walkFolder(root, {
        skip: (_file, rel) => settings.ignore.length > 0 && isIgnored(rel, settings.ignore),
        cancelled: () => !!token?.isCancellationRequested,
      });
      candidates.push(...inner.map((rel) => pathToFileURL(join(root, rel)).toString()));
    }
    return candidates;
  }

  /** A workspace file's analysis: the open document's, or the file's on disk (read through the workspace's confined file access). */
  async function workspaceFileAnalysis(uri: string): Promise<Analysis | undefined> {
    const open = documents.get(uri);
    if (open) return isLog(open) ? undefined : await analysisOf(open);
    return await diskAnalysis(uri);
  }

  /** Key and certificate files in the workspace that have these key IDs (cached per generation). */
  async function keyMatchesFor(keyIds: readonly string[]): Promise<KeyMatch[]> {
    const matches: KeyMatch[] = [];
    for (const keyId of keyIds.slice(0, 10)) {
      let found = keyMatchCache.get(keyId);
      if (!found) {
        found = findKeyById(files, keyId, workspaceRoots).then((result) => result.matches.map((match) => ({ keyId, file: match.file, type: match.type })), () => []);
        keyMatchCache.set(keyId, found);
      }
      matches.push(...(await found));
    }
    return matches;
  }

  /**
   * Configs changed (these paths, or anything when none are given): the
   * workspace's findings are brought up to date on next use, and open logs
   * joined with them are explained again once typing pauses.
   */
  function workspaceChanged(paths?: ReadonlySet<string>): void {
    generation++;
    if (paths) {
      for (const path of paths) changedIn.set(path, generation);
      workspaceFindings.changed(paths);
    } else {
      everythingChangedIn = generation;
      workspaceFindings.reset();
      keyMatchCache.clear();
    }
    clearTimeout(logRefreshTimer);
    logRefreshTimer = setTimeout(async () => {
      logRefreshTimer = undefined;
      const stale: TextDocument[] = [];
      for (const [uri, entry] of logCache) {
        const joined = await entry.promise.then((result) => result.joined, () => false);
        const document = documents.get(uri);
        if (joined && document) stale.push(document);
      }
      if (stale.length === 0) return;
      if (pullDiagnostics && canRefresh) connection.languages.diagnostics.refresh().catch(() => undefined);
      else for (const document of stale) schedulePush(document);
    }, LOG_REFRESH_MS);
  }

  connection.languages.diagnostics.on(async (params, token) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const cancelled = () => new ResponseError(LSPErrorCodes.ServerCancelled, 'document changed', { retriggerRequest: true });
    if (isLog(document)) {
      const items = await diagnosticsOf(document, true);
      if (token.isCancellationRequested) throw cancelled();
      return { kind: DocumentDiagnosticReportKind.Full, items };
    }
    const analysis = await currentAnalysis(document);
    if (token.isCancellationRequested) throw cancelled();
    const resultId = resultIdOf(analysis);
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items: analysis.findings.map((finding) => toDiagnostic(finding)) };
  });

  function schedulePush(document: TextDocument): void {
    if (pullDiagnostics) return;
    clearTimeout(pushTimers.get(document.uri));
    pushTimers.set(
      document.uri,
      setTimeout(async () => {
        pushTimers.delete(document.uri);
        const current = documents.get(document.uri);
        if (!current) return;
        let diagnostics: Diagnostic[];
        try {
          diagnostics = await diagnosticsOf(current, false);
        } catch (error) {
          // A log given up because it changed is pushed at its next version; anything else is a bug to log.
          if (!(error instanceof ResponseError)) connection.console.error(`diagnostics of ${current.uri}: ${(error as Error)?.message ?? error}`);
          return;
        }
        // Drop results for a version the user has already typed past.
        if (documents.get(document.uri)?.version !== current.version) return;
        connection.sendDiagnostics({ uri: current.uri, version: current.version, diagnostics });
      }, runtime.debounceMs ?? 200),
    );
  }

  function recheckAll(): void {
    cache.clear();
    prepared.clear();
    completionModels.clear();
    workspaceChanged();
    if (pullDiagnostics && canRefresh) connection.languages.diagnostics.refresh().catch(() => undefined);
    else for (const document of documents.all()) schedulePush(document);
  }

  /** Open documents whose last analysis read one of these paths. */
  function dependents(paths: ReadonlySet<string>): string[] {
    const uris: string[] = [];
    for (const [uri, { analysis }] of cache) if (analysis.dependencies.some((dependency) => paths.has(dependency))) uris.push(uri);
    return uris;
  }

  function recheckDependents(paths: ReadonlySet<string>): void {
    workspaceChanged(paths);
    const uris = dependents(paths);
    if (uris.length === 0) return;
    for (const uri of uris) {
      cache.delete(uri);
      prepared.delete(uri);
      completionModels.delete(uri);
    }
    if (pullDiagnostics && canRefresh) connection.languages.diagnostics.refresh().catch(() => undefined);
    else for (const uri of uris) {
      const document = documents.get(uri);
      if (document) schedulePush(document);
    }
  }

  documents.onDidOpen(({ document }) => {
    // The open document's own diagnostics take over from the audit's.
    if (auditPublished.delete(document.uri) && pullDiagnostics) connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    schedulePush(document);
  });
  documents.onDidChangeContent(({ document }) => {
    schedulePush(document);
    const path = pathOf(document.uri);
    // A log's edits change no config: only its own diagnostics.
    if (path && !isLog(document)) recheckDependents(new Set([path]));
  });
  documents.onDidClose(({ document }) => {
    cache.delete(document.uri);
    prepared.delete(document.uri);
    logCache.delete(document.uri);
    // Closing an edited config without saving puts the file on disk back in force.
    const closedPath = pathOf(document.uri);
    if (closedPath && !isLog(document)) workspaceChanged(new Set([closedPath]));
    completionModels.delete(document.uri);
    // A large document's text (and the message that brought it) is garbage now: give the memory back soon, not at the next GC.
    if (document.getText().length >= LARGE_DOCUMENT_CHARS) collectGarbageSoon();
    editorSettings.delete(document.uri);
    clearTimeout(pushTimers.get(document.uri));
    if (!pullDiagnostics) connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    // After a workspace audit, a closed file keeps its findings in Problems, as it is on disk.
    if (workspaceAudited) void auditFile(document.uri).catch(() => undefined);
  });

  /** A file that is not open, analysed as it is on disk (undefined when it cannot be read, is ignored, or is binary). */
  async function diskAnalysis(uri: string): Promise<Analysis | undefined> {
    const path = pathOf(uri);
    if (!path || documents.get(uri)) return undefined;
    const read = await files.readFile(path, { maxBytes: WALK_MAX_BYTES });
    if (!read.ok) return undefined;
    const settings = await settingsFor(uri);
    if (isIgnoredUri(uri, settings)) return undefined;
    const analysis = await analyzeBytes({ uri, path, bytes: read.bytes }, { files, settings });
    if (analysis.findings.length > 0 && analysis.findings.every((f) => f.ruleId === 'input-not-text')) return undefined;
    for (const failure of analysis.internalErrors) connection.console.error(`rule ${failure.ruleId} failed on ${uri}: ${failure.message}`);
    return analysis;
  }

  /** Lints a file from disk and publishes its findings (for files that are not open). */
  async function auditFile(uri: string): Promise<{ harbor: boolean; findings: number } | undefined> {
    const analysis = await diskAnalysis(uri);
    if (!analysis || documents.get(uri)) return undefined; // opened meanwhile: its own diagnostics win
    if (analysis.findings.length > 0 || auditPublished.has(uri)) {
      connection.sendDiagnostics({ uri, diagnostics: analysis.findings.map((finding) => toDiagnostic(finding)) });
      if (analysis.findings.length > 0) auditPublished.add(uri);
      else auditPublished.delete(uri);
    }
    return { harbor: analysis.recognition.kind !== 'not-harbor', findings: analysis.findings.length };
  }

  connection.onRequest(AUDIT_WORKSPACE_REQUEST, async (params: AuditWorkspaceParams | undefined, token: CancellationToken): Promise<AuditWorkspaceResult> => {
    const started = Date.now();
    const candidates = await workspaceCandidates(token);
    const result: AuditWorkspaceResult = { candidates: candidates.length, checked: 0, harborFiles: 0, findings: 0, ms: 0, cancelled: token.isCancellationRequested };
    if (!result.cancelled && params?.automatic && candidates.length > AUTO_AUDIT_MAX_FILES) {
      result.skipped = `${candidates.length} candidate files, over ${AUTO_AUDIT_MAX_FILES}: run "Harbor: Audit Workspace" to check them`;
      connection.console.info(`workspace audit not started: ${result.skipped}`);
      return result;
    }
    workspaceAudited = true;
    let lastProgress = 0;
    for (const uri of candidates) {
      if (token.isCancellationRequested) {
        result.cancelled = true;
        break;
      }
      // One file at a time, yielding between them: requests for open documents are answered in between.
      await new Promise((resolve) => setImmediate(resolve));
      const open = documents.get(uri);
      let outcome: { harbor: boolean; findings: number } | undefined;
      try {
        const analysis = open && !isLog(open) ? await analysisOf(open) : undefined;
        outcome = open ? (analysis ? { harbor: analysis.recognition.kind !== 'not-harbor', findings: analysis.findings.length } : undefined) : await auditFile(uri);
      } catch (error) {
        connection.console.error(`workspace audit: ${uri}: ${(error as Error)?.message ?? error}`);
      }
      result.checked++;
      if (outcome?.harbor) result.harborFiles++;
      result.findings += outcome?.findings ?? 0;
      if (Date.now() - lastProgress > 100 || result.checked === candidates.length) {
        lastProgress = Date.now();
        connection.sendNotification(AUDIT_PROGRESS_NOTIFICATION, { done: result.checked, total: candidates.length });
      }
    }
    result.cancelled = token.isCancellationRequested;
    result.ms = Date.now() - started;
    connection.console.info(
      `workspace audit ${result.cancelled ? 'cancelled' : 'done'}: ${result.checked} of ${result.candidates} candidate files checked, ${result.harborFiles} Harbor configs, ${result.findings} findings, ${result.ms} ms`,
    );
    return result;
  });

  connection.onDidChangeConfiguration(() => {
    editorSettings.clear();
    recheckAll();
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    // Key and certificate files are among the watched ones: key IDs are looked up again.
    keyMatchCache.clear();
    const paths = new Set(changes.map((change) => pathOf(change.uri)).filter((p): p is string => !!p));
    if ([...paths].some((path) => path.endsWith(CONFIG_FILE))) {
      await (fileSettingsLoaded = loadFileSettings());
      recheckAll();
      return;
    }
    if (changes.some((change) => change.type !== FileChangeType.Changed)) {
      // A created or deleted file can change what a glob include matches.
      recheckAll();
      return;
    }
    recheckDependents(paths);
  });

  connection.onCodeAction(async (params, token: CancellationToken) => {
    const document = documents.get(params.textDocument.uri);
    // A log has no fixes, and a suppression comment in it would mean nothing.
    if (!document || isLog(document)) return [];
    const analysis = await currentAnalysis(document);
    if (token.isCancellationRequested) return [];
    const text = document.getText();
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
    const result: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      const lines = new LineIndex(text);
      const requested = params.context.diagnostics.filter((d) => d.source === 'harbor-audit');
      const start = lines.offsetAt(params.range.start);
      const end = lines.offsetAt(params.range.end);
      const relevant = analysis.findings.filter((finding) =>
        requested.length > 0
          ? requested.some((d) => d.code === finding.ruleId && d.range.start.line === finding.range.start.line && d.range.start.character === finding.range.start.character)
          : finding.span.start <= end && start <= finding.span.end,
      );
      for (const finding of relevant) {
        for (const action of actionsForFinding(text, finding)) result.push(toCodeAction(document, action, requested));
      }
    }
    if (wants(FIX_ALL_KIND) || (only && only.includes(CodeActionKind.SourceFixAll))) {
      const settings = await settingsFor(document.uri);
      const fixed = await fixToFixpoint({ uri: document.uri, path: pathOf(document.uri), text }, { files, settings }, analysis);
      if (token.isCancellationRequested || documents.get(document.uri)?.version !== document.version) return [];
      const fixAll = fixAllAction(text, fixed);
      if (fixAll) result.push(toCodeAction(document, fixAll, []));
    }
    return result;
  });

  function toCodeAction(document: TextDocument, action: Action, diagnostics: Diagnostic[]): CodeAction {
    const codeAction: CodeAction = { title: action.title, kind: action.kind };
    if (action.finding) {
      const matching = diagnostics.filter((d) => d.code === action.finding!.ruleId);
      codeAction.diagnostics = matching.length > 0 ? matching : [toDiagnostic(action.finding)];
    }
    if (action.isPreferred) codeAction.isPreferred = true;
    if (action.edits) {
      codeAction.edit = {
        changes: {
          [document.uri]: action.edits.map((edit) => ({
            range: { start: document.positionAt(edit.span.start), end: document.positionAt(edit.span.end) },
            newText: edit.newText,
          })),
        },
      };
    }
    if (action.command) codeAction.command = { title: action.title, command: action.command.command, arguments: action.command.arguments };
    return codeAction;
  }

  connection.onHover(async (params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const version = document.version;
    const text = document.getText();
    const offset = document.offsetAt(params.position);
    if (isLog(document)) {
      const logHover = findingsHover((await logAnalysisOf(document)).findings, offset, logDocsUri);
      return logHover ? { contents: { kind: 'markdown', value: logHover.markdown }, range: { start: document.positionAt(logHover.span.start), end: document.positionAt(logHover.span.end) } } : null;
    }
    const settings = await settingsFor(document.uri);
    const analysis = await analysisOf(document);
    const options = { files, settings, searchRoots: workspaceRoots };
    const provided = await hoverAt({ uri: document.uri, path: pathOf(document.uri), text }, offset, options, preparedOf(document, version, text, settings));
    const result = combineHovers(findingsHover(analysis.findings, offset, docsUri), provided);
    if (!result) return null;
    return { contents: { kind: 'markdown', value: result.markdown }, range: { start: document.positionAt(result.span.start), end: document.positionAt(result.span.end) } };
  });

  connection.onCompletion(async (params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document || isLog(document)) return null;
    const version = document.version;
    const text = document.getText();
    const settings = await settingsFor(document.uri);
    const offset = document.offsetAt(params.position);
    const options = { files, settings, searchRoots: workspaceRoots };
    const model = (await earlierModelFor(document, version, text, settings).catch(() => undefined)) ?? preparedOf(document, version, text, settings);
    const entries = await completionAt({ uri: document.uri, path: pathOf(document.uri), text }, offset, options, model);
    if (entries.length === 0) return null;
    // Replace what was typed of the key or value so far.
    const typed = /[^\s:]*$/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset))![0];
    const range = { start: document.positionAt(offset - typed.length), end: params.position };
    return {
      isIncomplete: false,
      items: entries.map((entry) => ({
        label: entry.label,
        kind: entry.kind === 'section' ? CompletionItemKind.Module : entry.kind === 'value' ? CompletionItemKind.EnumMember : CompletionItemKind.Property,
        detail: entry.detail,
        documentation: entry.documentation ? { kind: 'markdown' as const, value: entry.documentation } : undefined,
        sortText: entry.sortText,
        filterText: entry.label,
        textEdit: { range, newText: entry.insertText },
      })),
    };
  });

  connection.onExecuteCommand(async ({ command, arguments: args = [] }, token) => {
    if (KEY_COMMANDS.includes(command)) return await executeKeyCommand(command, args, { files, roots: workspaceRoots });
    if (command === EXPLAIN_LOG_TEXT) {
      const started = Date.now();
      const result = await explainLog(readExplainParams(args), {
        roots: workspaceRoots,
        workspaceReports: () => workspaceFindings.reports(token),
        keyMatches: keyMatchesFor,
      });
      connection.console.info(`explain log: ${result.linesRead} lines, ${result.incidents} incidents, ${result.causes} causes in the workspace, ${Date.now() - started} ms`);
      return result;
    }
    const ruleId = String(args[0] ?? '');
    const meta = findRuleMeta(ruleId);
    if (!meta) throw new ResponseError(-32602, `unknown rule ${ruleId}`);
    if (command === 'harborAudit.showRuleDocs') {
      if (canShowDocument) {
        const shown = await connection.window.showDocument({ uri: docsUri(meta.id), takeFocus: true });
        if (shown.success) return { shown: true, uri: docsUri(meta.id) };
      }
      connection.window.showInformationMessage(`${meta.id}: ${meta.title}. ${meta.docs.fix} Docs: ${docsUri(meta.id)}`);
      return { shown: false, uri: docsUri(meta.id) };
    }
    throw new ResponseError(-32601, `unknown command ${command}`);
  });

  documents.listen(connection);
  connection.listen();
}
