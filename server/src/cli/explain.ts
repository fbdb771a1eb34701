/**
 * harbor-audit explain [--log FILE|-]... [--format text|json|markdown] [PATH...]
 * Reads logs line by line (a 200 MB log streams in bounded memory), names the
 * incidents they show, and, with config PATHs, ranks the findings that cause
 * them and finds the key files behind key IDs the log names.
 * Exit codes: 0 nothing recognised, 1 incidents recognised, 2 usage error or unreadable log.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { LogExplainer } from '../core/logs/explainer';
import { formatExplainJson, formatExplainMarkdown, formatExplainText, joinCauses, type ConfigReport, type KeyMatch } from '../core/logs/report';
import { createNodeFileAccess } from '../node/nodeFileAccess';
import { findKeyById } from '../node/keyTools';
import { readCommandLine } from './args';

export interface ExplainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Standard input, for `--log -` (and when no --log is given and stdin is not a terminal). */
  stdin?: Readable & { isTTY?: boolean };
}

export const EXPLAIN_USAGE = `  harbor-audit explain [--log FILE|-]... [--format text|json|markdown] [PATH...]
                                                       what a Harbor, registry or proxy log says, and which
                                                       config lines under PATH cause it (exit 0 nothing
                                                       recognised, 1 incidents, 2 unreadable log)`;

class ExplainUsageError extends Error {}

/** Lints config paths as the lint command does; given by the caller so both share one loop. */
export type LintPaths = (paths: string[]) => Promise<ConfigReport[]>;

export async function runExplainCommand(argv: string[], io: ExplainIo, lintPaths: LintPaths): Promise<number> {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    io.stderr(`harbor-audit: ${(error as Error).message}\n\nUsage:\n${EXPLAIN_USAGE}\n`);
    return 2;
  }
  if (options.logs.length === 0) {
    if (!io.stdin || io.stdin.isTTY) {
      io.stderr(`harbor-audit: explain needs a log: --log FILE, --log -, or a log piped to standard input\n\nUsage:\n${EXPLAIN_USAGE}\n`);
      return 2;
    }
    options.logs.push('-');
  }
  const explainer = new LogExplainer();
  for (const log of options.logs) {
    const problem = await feedLog(log, io, explainer);
    if (problem) {
      io.stderr(`harbor-audit: ${log === '-' ? 'standard input' : log}: ${problem}\n`);
      return 2;
    }
  }
  const incidents = explainer.finish();
  let reports: ConfigReport[] = [];
  const keyMatches: KeyMatch[] = [];
  if (options.paths.length > 0 && incidents.length > 0) {
    reports = await lintPaths(options.paths);
    const keyIds = [...new Set(incidents.flatMap((incident) => incident.keyIds))];
    if (keyIds.length > 0) {
      const files = createNodeFileAccess();
      for (const keyId of keyIds) {
        const found = await findKeyById(files, keyId, options.paths.map((path) => resolve(io.cwd, path)));
        for (const match of found.matches) keyMatches.push({ keyId, file: shown(io.cwd, match.file), type: match.type });
      }
    }
  }
  const explained = joinCauses(incidents, reports, keyMatches);
  const given = options.paths.length > 0;
  if (options.format === 'json') io.stdout(formatExplainJson(explained));
  else if (options.format === 'markdown') io.stdout(formatExplainMarkdown(explained, given));
  else io.stdout(formatExplainText(explained, given));
  return explained.length > 0 ? 1 : 0;
}

function parseArgs(argv: string[]): { logs: string[]; format: 'text' | 'json' | 'markdown'; paths: string[] } {
  const options = { logs: [] as string[], format: 'text' as 'text' | 'json' | 'markdown', paths: [] as string[] };
  const fail = (message: string) => new ExplainUsageError(message);
  readCommandLine(argv, fail, ({ flag, value }) => {
    if (flag === '--log' || flag === '-l') options.logs.push(value());
    else if (flag === '--format' || flag === '-f') {
      const format = value();
      if (format !== 'text' && format !== 'json' && format !== 'markdown') throw fail(`unknown format "${format}" (use text, json or markdown)`);
      options.format = format;
    } else return false;
    return true;
  }, (path) => options.paths.push(path));
  return options;
}

/** Streams one log into the explainer; returns what went wrong, or undefined. */
async function feedLog(log: string, io: ExplainIo, explainer: LogExplainer): Promise<string | undefined> {
  let stream: Readable;
  let name = log;
  if (log === '-') {
    if (!io.stdin) return 'standard input is not available';
    stream = io.stdin;
    name = '<stdin>';
  } else {
    const path = resolve(io.cwd, log);
    let stat;
    try {
      stat = await fs.stat(path);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot be read (${(error as NodeJS.ErrnoException).code})`;
    }
    // A FIFO is allowed (`--log <(kubectl logs …)`); a folder or device is not a log.
    if (stat.isDirectory()) return 'is a folder, not a log file';
    if (!stat.isFile() && !stat.isFIFO()) return 'is a device or socket, not a log file';
    if (stat.isFile() && (await startsBinary(path))) return 'is binary, not a text log';
    stream = createReadStream(path);
  }
  let checked = false;
  let binary = false;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      if (!checked) {
        checked = true;
        // A NUL or a run of control bytes in the first line: a binary file, not text.
        if (/\u0000|[\u0001-\u0008\u000e-\u001a]{4}/.test(line.slice(0, 8192))) {
          binary = true;
          break;
        }
      }
      explainer.add(name, ++number, line);
    }
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  } finally {
    lines.close();
    if (log !== '-') stream.destroy();
  }
  return binary ? 'is binary, not a text log' : undefined;
}

/** A NUL in the first 8 KiB: a binary file (checked before streaming, so a binary without newlines is never buffered). */
async function startsBinary(path: string): Promise<boolean> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

function shown(cwd: string, path: string): string {
  return path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
}
