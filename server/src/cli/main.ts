/**
 * harbor-audit: the command line over the same core as the language server.
 *   harbor-audit [--format text|json|sarif] [--config FILE] [--fail-on error|warning|info] [--verbose] PATH...
 *   harbor-audit lsp --stdio
 *   harbor-audit nginx-json FILE
 *   harbor-audit keys compare|id|find ...
 *   harbor-audit schema values|harbor-yml [--chart-version V | --version V]
 * Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 usage or internal error.
 */
import { promises as fs } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { analyzeBytes, INCLUDER_NOTE, MAX_DOCUMENT_CHARS } from '../core/languageService';
import { toCrossplanePayload } from '../core/nginx/crossplane';
import { resolveIncludes } from '../core/nginx/includes';
import { parseNginx } from '../core/nginx/parser';
import { decodeBytes } from '../core/decode';
import { anchorMappings } from '../core/pathMapping';
import { isIgnored, parseSettingsFile, type AuditSettings, defaultSettings } from '../core/settings';
import type { Finding, Severity } from '../core/types';
import { createNodeFileAccess } from '../node/nodeFileAccess';
import { walkFolder, WALK_MAX_BYTES } from '../node/walk';
import { compareText } from '../core/text';
import type { RandomSource } from '../core/secrets';
import { readCommandLine } from './args';
import { describeApplied, fixFile, writeFileInPlace, type WriteFile } from './fix';
import { formatJson, formatSarif, formatText, type FileReport } from './formats';
import { EXPLAIN_USAGE, runExplainCommand } from './explain';
import { KEYS_USAGE, runKeysCommand } from './keys';
import { runSchemaCommand, SCHEMA_USAGE } from './schema';
import { VERSION } from './version';

export { VERSION };
import { isLintWorker, lintInWorkers, lintTarget, usesWorkers, type LintContext, type LintTarget } from './parallel';

const CONFIG_FILE = '.harbor-audit.yaml';
const SEVERITY_RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Colour the text report (stdout is a terminal and NO_COLOR is not set). */
  color?: boolean;
  /** How --fix writes a file (tests inject a failing one). */
  writeFile?: WriteFile;
  /** Randomness for fixes that generate secrets (tests inject a seeded one). */
  random?: RandomSource;
}

class UsageError extends Error {}

const USAGE = `Usage:
  harbor-audit [--format text|json|sarif] [--config FILE] [--fail-on error|warning|info]
               [--path-map FROM=TO]... [--verbose] [--fix [--unsafe-fixes] [--diff]] [--allow-empty]
               [--jobs N] PATH...
  harbor-audit lsp --stdio                 start the language server (for any LSP editor)
  harbor-audit nginx-json FILE             print the nginx parse as crossplane's JSON payload
${KEYS_USAGE}
${EXPLAIN_USAGE}
${SCHEMA_USAGE}

Lints Harbor Helm values, harbor.yml, harbor.cfg and nginx configs, recognised by content.
Folders are searched recursively. --path-map /data/cert=./certs reads key and certificate
files that configs name on another host from a copy here (like \`paths:\` in .harbor-audit.yaml).
  --verbose        print the whole explanation under each finding (text output does so anyway
                   when one file is checked)
  --fix            apply safe fixes in place, again on the result until none is left
  --unsafe-fixes   with --fix: apply unsafe fixes too (review the result)
  --diff           with --fix: print the changes as a unified diff, write nothing
  --allow-empty    exit 0 when the paths hold no Harbor config (otherwise exit 2)
  --jobs N         lint many files on N threads (default: one per idle core when three or more are idle, else one; output order is the same)
Exit code 0: nothing at or above --fail-on (default error); 1: something is (with --diff:
or a fix would change a file); 2: usage or internal error, no Harbor config found, a file
that cannot be read or written.`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === 'lsp') return await startLanguageServer(rest);
    if (command === 'nginx-json') return await nginxJson(rest, io);
    if (command === 'keys') return await runKeysCommand(rest, io);
    if (command === 'explain') {
      return await runExplainCommand(rest, { ...io, stdin: process.stdin }, async (paths) => (await auditPaths({ format: 'text', failOn: 'error', paths, pathMaps: [] }, io)).reports);
    }
    if (command === 'schema') return runSchemaCommand(rest, io);
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE + '\n');
      return 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    return await lint(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`harbor-audit: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`harbor-audit: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 2;
  }
}

interface LintOptions {
  format: 'text' | 'json' | 'sarif';
  config?: string;
  failOn: Severity;
  /** Print each finding's detail in text output. */
  verbose?: boolean;
  paths: string[];
  /** --path-map FROM=TO, as given. */
  pathMaps: [string, string][];
  /** --fix and friends: absent for callers that only read (explain). */
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  allowEmpty?: boolean;
  /** --jobs N: worker threads for many files (default: defaultJobs in parallel.ts; 1 lints in one thread). */
  jobs?: number;
}

function parseLintArgs(argv: string[]): LintOptions {
  const options: LintOptions = { format: 'text', failOn: 'error', verbose: false, paths: [], pathMaps: [], fix: false, unsafeFixes: false, diff: false, allowEmpty: false };
  const fail = (message: string) => new UsageError(message);
  readCommandLine(argv, fail, ({ arg, flag, value }) => {
    if (flag === '--format' || flag === '-f') {
      const format = value();
      if (format !== 'text' && format !== 'json' && format !== 'sarif') throw fail(`unknown format "${format}" (use text, json or sarif)`);
      options.format = format;
    } else if (flag === '--config' || flag === '-c') options.config = value();
    else if (flag === '--path-map') {
      const map = value();
      const at = map.indexOf('=');
      if (at <= 0 || at === map.length - 1) throw fail(`--path-map takes FROM=TO (an absolute path as configs name it, and where it is here), not "${map}"`);
      options.pathMaps.push([map.slice(0, at), map.slice(at + 1)]);
    } else if (flag === '--fail-on') {
      const level = value();
      if (level !== 'error' && level !== 'warning' && level !== 'info') throw fail(`--fail-on takes error, warning or info, not "${level}"`);
      options.failOn = level;
    } else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--fix') options.fix = true;
    else if (arg === '--unsafe-fixes') options.unsafeFixes = true;
    else if (arg === '--diff') options.diff = true;
    else if (arg === '--allow-empty') options.allowEmpty = true;
    else if (flag === '--jobs' || flag === '-j') {
      const jobs = value();
      if (!/^[1-9]\d{0,3}$/.test(jobs)) throw fail(`--jobs takes a number of threads (1 or more), not "${jobs}"`);
      options.jobs = Number(jobs);
    } else return false;
    return true;
  }, (path) => options.paths.push(path));
  if (options.paths.length === 0) throw new UsageError('no PATH given');
  if ((options.unsafeFixes || options.diff) && !options.fix) throw new UsageError(`${options.unsafeFixes ? '--unsafe-fixes' : '--diff'} goes with --fix`);
  return options;
}

const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

async function loadSettings(options: LintOptions, io: CliIo): Promise<{ settings: AuditSettings; root: string }> {
  const explicit = options.config !== undefined;
  const path = resolve(io.cwd, options.config ?? CONFIG_FILE);
  // Through FileAccess, so a FIFO or device named .harbor-audit.yaml is refused instead of blocking the run.
  const read = await createNodeFileAccess().readFile(path, { maxBytes: MAX_CONFIG_FILE_BYTES });
  if (!read.ok) {
    if (explicit) throw new UsageError(`cannot read config ${options.config}: ${read.message}`);
    return { settings: defaultSettings, root: io.cwd };
  }
  const text = new TextDecoder().decode(read.bytes);
  const { settings, problems } = parseSettingsFile(text, dirname(path));
  for (const problem of problems) io.stderr(`harbor-audit: ${relative(io.cwd, path) || path}: ${problem.message}\n`);
  if (explicit && problems.length > 0) throw new UsageError(`invalid config ${options.config}`);
  return { settings, root: dirname(path) };
}

interface Target {
  /** As the user should see it: the argument, joined with the path inside a folder. */
  display: string;
  absolute: string;
  explicit: boolean;
}

async function collectTargets(paths: string[], io: CliIo, settings: AuditSettings, root: string): Promise<Target[]> {
  const targets: Target[] = [];
  for (const path of paths) {
    const absolute = resolve(io.cwd, path);
    let stat;
    try {
      stat = await fs.stat(absolute);
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    if (!stat.isDirectory()) {
      targets.push({ display: path, absolute, explicit: true });
      continue;
    }
    const inner = await walkFolder(absolute, {
      skip: (file) => isIgnored(relative(root, file).split('\\').join('/'), settings.ignore),
      onError: (sub, code) => io.stderr(`harbor-audit: cannot read folder ${join(path, sub)}: ${code}\n`),
      synchronous: true,
    });
    for (const file of inner) targets.push({ display: join(path, file), absolute: join(absolute, file), explicit: false });
  }
  return targets.sort((a, b) => compareText(a.display, b.display));
}

interface Audit {
  reports: (FileReport & { absolute?: string })[];
  checked: number;
  internalError: boolean;
  explicitUnreadable: boolean;
  /** Key and certificate paths that could not be read here (the summary line counts them). */
  /** Key/certificate paths and includes that could not be read here, by path (the summary line counts them). */
  unreadablePaths: Map<string, 'key' | 'include'>;
  /** --fix: one line per file it changed (or would change, with --diff). */
  fixed: string[];
  diffs: string[];
  writeFailed: boolean;
}

/** Lints every Harbor config under the given paths: the loop behind both `lint` and `explain`. */
async function auditPaths(options: LintOptions, io: CliIo): Promise<Audit> {
  const loaded = await loadSettings(options, io);
  const { root } = loaded;
  const settings = withPathMaps(loaded.settings, options.pathMaps, io.cwd);
  const targets = await collectTargets(options.paths, io, settings, root);
  const files = createNodeFileAccess({ nameIndexTtlMs: Infinity, synchronous: true });
  // A key or certificate named for another host is looked up by name under the paths given.
  const searchRoots = await Promise.all(options.paths.map(async (path) => {
    const absolute = resolve(io.cwd, path);
    return (await fs.stat(absolute)).isDirectory() ? absolute : dirname(absolute);
  }));
  const audit: Audit = { reports: [], checked: 0, internalError: false, explicitUnreadable: false, unreadablePaths: new Map(), fixed: [], diffs: [], writeFailed: false };
  const context: LintContext = { settings, searchRoots, ...(io.random ? { random: io.random } : {}) };
  const lintTargets: LintTarget[] = targets.map((target) => ({ ...target, maxBytes: target.explicit ? MAX_DOCUMENT_CHARS : WALK_MAX_BYTES }));
  // Many files without --fix: every core (results come back in target order); otherwise this thread, file by file.
  const parallel = !options.fix && usesWorkers(lintTargets.length, context, { jobs: options.jobs }) ? await lintInWorkers(lintTargets, context, files, { jobs: options.jobs }) : undefined;
  for (const [index, target] of lintTargets.entries()) {
    const result = parallel?.[index] ?? (await lintTarget(target, context, files, !!options.fix));
    if (result.kind === 'unreadable') {
      // Inside a folder, what cannot be a config is passed over; a file named on the command line gets a message.
      io.stderr(`harbor-audit: ${target.display}: not checked: ${result.message}\n`);
      audit.explicitUnreadable = true;
      continue;
    }
    if (result.kind === 'skipped') continue;
    const analyzeOptions = { files, settings, searchRoots, ...(io.random ? { random: io.random } : {}) };
    let analysis = result.analysis;
    for (const unreadable of analysis.unreadablePaths) audit.unreadablePaths.set(unreadable.path, unreadable.kind ?? 'key');
    if (options.fix && analysis.internalErrors.length === 0) {
      const outcome = await fixFile(target, result.bytes!, analysis, analyzeOptions, { includeUnsafe: !!options.unsafeFixes, diffOnly: !!options.diff }, io.writeFile ?? writeFileInPlace);
      analysis = outcome.analysis;
      if (outcome.writeError) {
        io.stderr(`harbor-audit: ${target.display}: not fixed, cannot write it (${outcome.writeError}); the file is unchanged\n`);
        audit.writeFailed = true;
      }
      if (outcome.applied.length > 0) audit.fixed.push(describeApplied(target.display, outcome.applied, !!options.diff));
      if (outcome.diff) audit.diffs.push(outcome.diff);
    }
    for (const failure of analysis.internalErrors) {
      audit.internalError = true;
      io.stderr(`harbor-audit: internal error in rule ${failure.ruleId} on ${target.display}: ${failure.message}\n`);
    }
    if (analysis.recognition.kind !== 'not-harbor' || analysis.findings.length > 0) audit.checked++;
    if (analysis.findings.length > 0) audit.reports.push({ file: target.display, findings: analysis.findings, absolute: target.absolute });
  }
  audit.reports = withoutRepeats(audit.reports);
  return audit;
}

/**
 * One finding per cause: an nginx.conf reports a problem of a server it includes
 * on its `include` line, and the included conf.d file, checked in the same run,
 * reports it where it is. Keep the latter.
 */
export function withoutRepeats(reports: (FileReport & { absolute?: string })[]): FileReport[] {
  const byPath = new Map(reports.filter((r) => r.absolute).map((r) => [r.absolute!, r]));
  const reportedThere = (finding: Finding, self: FileReport) =>
    finding.related.some((related) => {
      // The conf.d file's pointer back to its includer is context, not the cause.
      if (related.message === INCLUDER_NOTE) return false;
      const other = byPath.get(related.file);
      return other !== undefined && other !== self && other.findings.some((own) => own.ruleId === finding.ruleId && own.range.start.line >= related.range.start.line && own.range.start.line <= related.range.end.line);
    });
  return reports
    .map((report) => ({ file: report.file, findings: report.findings.filter((finding) => !reportedThere(finding, report)) }))
    .filter((report) => report.findings.length > 0);
}

async function lint(argv: string[], io: CliIo): Promise<number> {
  const options = parseLintArgs(argv);
  const { reports, checked, internalError, explicitUnreadable, unreadablePaths, fixed, diffs, writeFailed } = await auditPaths(options, io);
  if (checked === 0 && !explicitUnreadable && !options.allowEmpty) {
    io.stderr(`harbor-audit: no Harbor config found in ${options.paths.join(', ')} (files are recognised by content; --allow-empty accepts this)\n`);
    return 2;
  }
  // What --fix changed goes where it cannot corrupt a machine-readable stdout.
  const fixReport = options.diff || options.format !== 'text' ? io.stderr : io.stdout;
  if (options.fix) {
    for (const line of fixed) fixReport(line + '\n');
    if (fixed.length === 0 && !writeFailed) fixReport(`${options.diff ? 'Nothing to fix.' : 'Nothing fixed.'}\n`);
  }
  if (options.diff) io.stdout(diffs.join(''));
  else if (options.format === 'json') io.stdout(formatJson(reports));
  else if (options.format === 'sarif') io.stdout(formatSarif(reports, VERSION));
  // A file named on the command line that could not be read is not "No problems found".
  else if (!(explicitUnreadable && reports.length === 0)) {
    io.stdout(formatText(reports, checked, { color: io.color ?? false, fixing: !!options.fix, unreadablePaths: [...unreadablePaths.values()].filter((kind) => kind === 'key').length, unreadableIncludes: [...unreadablePaths.values()].filter((kind) => kind === 'include').length, details: options.verbose || checked === 1 }));
  }
  if (internalError || explicitUnreadable || writeFailed) return 2;
  if (options.diff && diffs.length > 0) return 1;
  const threshold = SEVERITY_RANK[options.failOn];
  return reports.some((report) => report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= threshold)) ? 1 : 0;
}

/** `--path-map FROM=TO` mappings come after (and so win over) the config file's `paths:`. */
function withPathMaps(settings: AuditSettings, pathMaps: [string, string][], cwd: string): AuditSettings {
  if (pathMaps.length === 0) return settings;
  const { mappings, problems } = anchorMappings(pathMaps, cwd);
  if (problems.length > 0) throw new UsageError(`--path-map: ${problems[0]}`);
  return { ...settings, paths: [...(settings.paths ?? []), ...mappings] };
}

async function nginxJson(argv: string[], io: CliIo): Promise<number> {
  if (argv.length !== 1) throw new UsageError('nginx-json takes exactly one FILE');
  const absolute = resolve(io.cwd, argv[0]);
  const files = createNodeFileAccess();
  const read = await files.readFile(absolute, { maxBytes: MAX_DOCUMENT_CHARS });
  if (!read.ok) {
    io.stderr(`harbor-audit: ${argv[0]}: ${read.message}\n`);
    return 2;
  }
  const root = parseNginx(decodeBytes(read.bytes).text, absolute);
  const { files: parsed, problems } = await resolveIncludes(root, files, { configDir: dirname(absolute) });
  const payload = toCrossplanePayload([root, ...parsed.filter((file) => file !== root)], problems);
  io.stdout(JSON.stringify(payload, null, 2) + '\n');
  // As crossplane: the payload is printed either way, the exit code says whether the parse failed.
  return payload.status === 'ok' ? 0 : 1;
}

async function startLanguageServer(argv: string[]): Promise<number> {
  // VS Code starts this same bundle with --node-ipc; other editors use --stdio.
  if (!argv.includes('--stdio') && !argv.includes('--node-ipc')) throw new UsageError('lsp needs --stdio');
  // Loaded here only: linting and the key commands never pay for the language-server libraries.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startStdioServer, startFromArgv } = require('../lsp/main') as typeof import('../lsp/main');
  if (argv.includes('--stdio')) startStdioServer();
  else startFromArgv();
  return await new Promise<number>(() => {
    // The server runs until the client exits it.
  });
}

/** Colour only on a terminal, and never with a non-empty NO_COLOR (https://no-color.org). */
export function wantsColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && !env.NO_COLOR;
}

/** Runs the command on these arguments with the process's streams (bin.ts calls it; so does running this module). */
export function main(argv: string[]): void {
  runCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    color: wantsColor(!!process.stdout.isTTY, process.env),
  }).then((code) => {
    process.exitCode = code;
  });
}

// A lint worker loads this bundle too (parallel.ts): it must not start the command there.
if (require.main === module && !isLintWorker) main(process.argv.slice(2));
