/**
 * "Explain Log" over `workspace/executeCommand`, for VS Code and any other LSP
 * client: log text in (a selection, the clipboard, a file's contents), the
 * explanation out as markdown, with links to the log lines and to the config
 * lines in the workspace whose findings cause what the log shows.
 *
 *   { command: "harborAudit.explainLogText",
 *     arguments: [{ text, uri?, firstLine?, name?, truncated? }] }   (or just [text])
 *
 * `uri` names the document the text comes from (its lines get links), with
 * `firstLine` the number of the text's first line in it; `name` labels text
 * without a document ("clipboard").
 */
import { relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ResponseError } from 'vscode-languageserver';
import { explainTextBounded } from '../core/logs/explainer';
import { formatExplainMarkdown, joinCauses, type ConfigReport, type KeyMatch } from '../core/logs/report';
import type { Incident } from '../core/logs/explainer';
import { formatCount } from '../core/text';

export const EXPLAIN_LOG_TEXT = 'harborAudit.explainLogText';
/** The command reads at most this many characters and lines of the text it is given; `harbor-audit explain` streams any length. */
export const MAX_EXPLAIN_CHARS = 64 * 1024 * 1024;
export const MAX_EXPLAIN_LINES = 1_000_000;

export interface ExplainLogParams {
  text: string;
  uri?: string;
  firstLine?: number;
  name?: string;
  /** The text is the beginning of a longer log (the client read only part of a large file). */
  truncated?: boolean;
}

export interface ExplainLogResult {
  markdown: string;
  incidents: number;
  causes: number;
  linesRead: number;
  /** The first line not read, when the text was longer than the command reads. */
  stoppedAt?: number;
  /** Why no cause was looked up in the workspace, when none was. */
  skipped?: string;
}

export interface WorkspaceReports {
  reports: ConfigReport[];
  /** How many files were looked at. */
  checked: number;
  skipped?: string;
}

export interface ExplainEnvironment {
  roots: readonly string[];
  /** The config findings of the workspace (the workspace audit's, with its confinement). */
  workspaceReports: () => Promise<WorkspaceReports>;
  /** Key and certificate files in the workspace with these key IDs. */
  keyMatches: (keyIds: string[]) => Promise<KeyMatch[]>;
}

export function readExplainParams(args: unknown[]): ExplainLogParams {
  const first = args[0];
  const params = typeof first === 'string' ? { text: first } : (first as Partial<ExplainLogParams> | undefined);
  if (!params || typeof params.text !== 'string') throw new ResponseError(-32602, `${EXPLAIN_LOG_TEXT} needs the log text: [{ text, uri?, firstLine? }] or [text]`);
  const firstLine = Number.isInteger(params.firstLine) && params.firstLine! > 0 ? params.firstLine : undefined;
  return {
    text: params.text,
    ...(typeof params.uri === 'string' && params.uri !== '' ? { uri: params.uri } : {}),
    ...(firstLine ? { firstLine } : {}),
    ...(typeof params.name === 'string' && params.name !== '' ? { name: params.name.slice(0, 200) } : {}),
    ...(params.truncated === true ? { truncated: true } : {}),
  };
}

/** Incidents that a config finding or a key file can explain: only those need the workspace. */
export function needsWorkspace(incidents: readonly Incident[]): boolean {
  return incidents.some((incident) => incident.catalogIds.length > 0 || incident.keyIds.length > 0);
}

export async function explainLog(params: ExplainLogParams, env: ExplainEnvironment): Promise<ExplainLogResult> {
  const label = params.uri ?? params.name ?? 'log';
  const cut = params.text.length > MAX_EXPLAIN_CHARS;
  const text = cut ? params.text.slice(0, params.text.lastIndexOf('\n', MAX_EXPLAIN_CHARS) + 1 || MAX_EXPLAIN_CHARS) : params.text;
  const read = explainTextBounded(text, label, { firstLine: params.firstLine, maxLines: MAX_EXPLAIN_LINES });
  const stoppedAt = read.stoppedAt ?? (cut || params.truncated ? (params.firstLine ?? 1) + read.linesRead : undefined);
  let workspace: WorkspaceReports = { reports: [], checked: 0 };
  let keyMatches: KeyMatch[] = [];
  if (needsWorkspace(read.incidents)) {
    workspace = await env.workspaceReports();
    keyMatches = await env.keyMatches([...new Set(read.incidents.flatMap((incident) => incident.keyIds))]);
  }
  const explained = joinCauses(read.incidents, workspace.reports, keyMatches);
  const link = (file: string, line: number) => markdownLink(file, line, env.roots);
  const first = params.firstLine ?? 1;
  const source = params.uri ? `${linkText(shownName(params.uri, env.roots))}, lines ${first}–${first + read.linesRead - 1}` : `the ${linkText(label)}`;
  const notes = [`Read ${formatCount(read.linesRead)} line${read.linesRead === 1 ? '' : 's'} of ${source}.`];
  if (stoppedAt !== undefined) notes.push(`Stopped at line ${formatCount(stoppedAt)}: the editor reads at most ${formatCount(MAX_EXPLAIN_LINES)} lines (64 MB). \`harbor-audit explain --log FILE\` reads a log of any length.`);
  if (workspace.skipped) notes.push(`Causes were not looked up in the workspace: ${workspace.skipped}.`);
  else if (needsWorkspace(read.incidents) && env.roots.length === 0) notes.push('No workspace folder is open, so no config was looked at.');
  else if (needsWorkspace(read.incidents)) notes.push(`Causes looked up in the ${formatCount(workspace.checked)} candidate file${workspace.checked === 1 ? '' : 's'} of the workspace.`);
  return {
    markdown: formatExplainMarkdown(explained, workspace.checked > 0, link, notes),
    incidents: explained.length,
    causes: explained.reduce((sum, incident) => sum + incident.causes.length, 0),
    linesRead: read.linesRead,
    ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    ...(workspace.skipped ? { skipped: workspace.skipped } : {}),
  };
}

/**
 * `[name:line](file:///…#Lline)` for a file on disk (a path or a `file:` URI) or
 * another document URI; plain `name:line` for text without a document. The
 * workspace-relative name is shown; the link opens the file at the line.
 */
export function markdownLink(file: string, line: number, roots: readonly string[]): string {
  let uri: string | undefined;
  if (file.startsWith('/') || /^[a-z]:[\\/]/i.test(file)) uri = pathToFileURL(file).toString();
  else if (/^[a-z][a-z0-9+.-]*:/i.test(file)) uri = file;
  const text = linkText(`${shownName(file, roots)}:${line}`);
  if (!uri) return text;
  // Parentheses, angle brackets and spaces would end or break the link destination.
  const destination = `${uri}#L${line}`.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${text}](${destination})`;
}

function shownName(file: string, roots: readonly string[]): string {
  let path = file;
  if (/^file:/i.test(file)) {
    try {
      path = fileURLToPath(file);
    } catch {
      return file;
    }
  }
  for (const root of roots) {
    if (path.startsWith(root + sep) || path.startsWith(root + '/')) return relative(root, path).split(sep).join('/');
  }
  return path;
}

/** Markdown-inert text: a file name with brackets, stars or backticks shows as written. */
function linkText(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}
