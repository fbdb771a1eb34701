/**
 * Exports parsed files as crossplane's JSON payload (`crossplane parse`), the
 * format other nginx tooling reads. Matches nginx-go-crossplane's
 * crossplane-compatible output (`xp.json`): comments as `#` directives, empty
 * `block`/`includes` left out, `if` parentheses stripped, includes as indexes
 * into `config[]`. Built without recursion so deep trees cannot overflow.
 */
import { normalize } from 'node:path/posix';
import type { NginxComment, NginxDirective, NginxFile } from './ast';
import type { IncludeProblem } from './includes';

export interface CrossplaneError {
  file?: string;
  error: string;
  line: number | null;
}

export interface CrossplaneDirective {
  directive: string;
  line: number;
  args: string[];
  includes?: number[];
  block?: CrossplaneDirective[];
  comment?: string;
}

export interface CrossplaneConfig {
  file: string;
  status: 'ok' | 'failed';
  errors: CrossplaneError[];
  parsed: CrossplaneDirective[];
}

export interface CrossplanePayload {
  status: 'ok' | 'failed';
  errors: CrossplaneError[];
  config: CrossplaneConfig[];
}

export interface CrossplaneOptions {
  /** Emit comments as `#` directives (crossplane's `--include-comments`); default true. */
  comments?: boolean;
}

/**
 * `files` is the root first, then the included files (resolveIncludes' order);
 * `problems` are resolveIncludes' problems, reported on the including file.
 * Include cycles are not errors in crossplane: the include just points back.
 */
export function toCrossplanePayload(files: readonly NginxFile[], problems: readonly IncludeProblem[] = [], options: CrossplaneOptions = {}): CrossplanePayload {
  const withComments = options.comments ?? true;
  const index = new Map<string, number>();
  for (const file of files) {
    const key = normalize(file.path);
    if (!index.has(key)) index.set(key, index.size);
  }
  const includesOf = (directive: NginxDirective): number[] => {
    const targets = [...(directive.included ?? []).map((f) => f.path), ...(cycleTargets.get(directive) ?? [])];
    const result: number[] = [];
    for (const target of targets) {
      const i = index.get(normalize(target));
      if (i !== undefined) result.push(i);
    }
    return result;
  };
  const cycleTargets = new Map<NginxDirective, string[]>();
  const problemsByFile = new Map<string, IncludeProblem[]>();
  for (const problem of problems) {
    if (problem.reason === 'cycle') {
      const list = cycleTargets.get(problem.include) ?? [];
      list.push(problem.path);
      cycleTargets.set(problem.include, list);
      continue;
    }
    const key = normalize(problem.include.file);
    const list = problemsByFile.get(key) ?? [];
    list.push(problem);
    problemsByFile.set(key, list);
  }

  const config: CrossplaneConfig[] = [];
  const allErrors: CrossplaneError[] = [];
  const done = new Set<string>();
  for (const file of files) {
    const key = normalize(file.path);
    if (done.has(key)) continue;
    done.add(key);
    const errors: { error: string; line: number }[] = [];
    const seen = new Set<string>();
    const add = (message: string, line: number): void => {
      const error = `${message} in ${file.path}:${line}`;
      if (seen.has(`${line}\0${error}`)) return;
      seen.add(`${line}\0${error}`);
      errors.push({ error, line });
    };
    for (const error of file.errors) add(error.message, error.line);
    for (const problem of problemsByFile.get(key) ?? []) add(problem.message, problem.include.line);
    let deepLine = 0;
    const parsed = convert(file, withComments ? file.comments : [], includesOf, (line) => {
      if (!deepLine) deepLine = line;
    });
    if (deepLine) add(`blocks nested deeper than ${MAX_PAYLOAD_DEPTH} levels are left out`, deepLine);
    errors.sort((a, b) => a.line - b.line);
    for (const error of errors) allErrors.push({ file: file.path, error: error.error, line: error.line });
    config.push({
      file: file.path,
      status: errors.length > 0 ? 'failed' : 'ok',
      errors: errors.map((e) => ({ error: e.error, line: e.line })),
      parsed,
    });
  }
  return { status: allErrors.length > 0 ? 'failed' : 'ok', errors: allErrors, config };
}

interface Frame {
  list: readonly NginxDirective[];
  index: number;
  out: CrossplaneDirective[];
  /** Comments before this offset belong to this block. */
  end: number;
  owner: CrossplaneDirective | null;
  depth: number;
}

/** Deeper blocks are left out of the payload: JSON.stringify overflows the stack a little past 2,000. */
export const MAX_PAYLOAD_DEPTH = 1000;

function convert(file: NginxFile, comments: readonly NginxComment[], includesOf: (d: NginxDirective) => number[], tooDeep: (line: number) => void): CrossplaneDirective[] {
  const root: CrossplaneDirective[] = [];
  let next = 0;
  const flush = (before: number, out: CrossplaneDirective[], line?: number): void => {
    while (next < comments.length && comments[next].span.start < before) {
      const comment = comments[next++];
      out.push({ directive: '#', line: line ?? comment.line, args: [], comment: comment.text });
    }
  };
  const stack: Frame[] = [{ list: file.directives, index: 0, out: root, end: file.text.length + 1, owner: null, depth: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index >= top.list.length) {
      flush(top.end, top.out);
      if (top.owner && top.out.length > 0) top.owner.block = top.out;
      stack.pop();
      continue;
    }
    const directive = top.list[top.index++];
    flush(directive.span.start, top.out);
    const entry: CrossplaneDirective = { directive: directive.name, line: directive.line, args: argsOf(directive) };
    if (directive.name === 'include' && directive.included) {
      const includes = includesOf(directive);
      if (includes.length > 0) entry.includes = includes;
    }
    top.out.push(entry);
    if (directive.block && directive.blockSpan && top.depth >= MAX_PAYLOAD_DEPTH) {
      tooDeep(directive.line);
      while (next < comments.length && comments[next].span.start < directive.span.end) next++;
    } else if (directive.block && directive.blockSpan) {
      // crossplane puts comments found among a directive's arguments right after it, on its line.
      flush(directive.blockSpan.start, top.out, directive.line);
      stack.push({ list: directive.block, index: 0, out: [], end: directive.blockSpan.end, owner: entry, depth: top.depth + 1 });
    } else {
      flush(directive.span.end, top.out, directive.line);
    }
  }
  return root;
}

/** crossplane strips the parentheses around an `if` condition. */
function argsOf(directive: NginxDirective): string[] {
  const args = directive.args.map((arg) => arg.value);
  if (directive.name !== 'if' || args.length === 0) return args;
  if (!args[0].startsWith('(') || !args[args.length - 1].endsWith(')')) return args;
  args[0] = args[0].slice(1).trimStart();
  args[args.length - 1] = args[args.length - 1].slice(0, -1).trimEnd();
  const start = args[0] === '' ? 1 : 0;
  const end = args.length - (args[args.length - 1] === '' ? 1 : 0);
  return args.slice(start, Math.max(start, end));
}
