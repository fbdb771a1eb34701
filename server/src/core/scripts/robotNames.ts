/**
 * Robot account names (`robot$team+ci`) written where a `$` is expanded: by
 * the shell (unquoted or in double quotes), by make (any `$x` in a Makefile),
 * by docker compose (values in a compose file, unquoted or double-quoted
 * values in `.env`). Each site says how to write the `$` so it stays a `$`.
 */
import { isScalar, visit } from 'yaml';
import type { Span, TextEdit } from '../types';
import { lexShell } from '../shell/lexer';
import { robotStem, type ScriptModel } from './model';
import { spanToFile } from './sources';

export interface RobotNameSite {
  /** The robot name as written (the reader's words; never a secret). */
  span: Span;
  /** Who expands the `$`: `shell`, `make`, `compose`. */
  expander: 'shell' | 'make' | 'compose';
  /** What the expander reads in place of the name: `$team`. */
  variable: string;
  fix?: { title: string; edits: TextEdit[] };
}

/** The prefix before its `$` (`robot` for `robot$`), or undefined when the prefix has no `$` to lose. */
function stem(prefix: string): string | undefined {
  return prefix.endsWith('$') && prefix.length > 1 ? prefix.slice(0, -1) : undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function findRobotNameSites(model: ScriptModel, prefix: string): RobotNameSite[] {
  const head = stem(prefix);
  if (!head) return [];
  const sites: RobotNameSite[] = [];
  const text = model.text;
  const headLower = head.toLowerCase();
  // The shell: `robot` followed by a `$name` expansion that the file does not assign (a project name, not a variable).
  for (const code of model.shell) {
    const { source } = code;
    // Only the commands that spell another stem were left out of a partial lex.
    const lexed = code.partialFor === undefined || code.partialFor === robotStem(prefix) ? code.lexed : lexShell(source.text, source.dialect);
    // A Groovy GString expands `$` itself before the shell runs: not ours to read.
    if (source.dialect === 'sh' && source.encode('$') !== '$') continue;
    for (const command of lexed.commands) {
      for (const word of command.words) {
        for (let i = 1; i < word.parts.length; i++) {
          const before = word.parts[i - 1];
          const part = word.parts[i];
          const shellParam = part.kind === 'param' && part.name && /^\$\$?[a-z][a-z0-9_]*$/.test(part.text);
          if (!shellParam || before.kind === 'param' || !before.text.toLowerCase().endsWith(headLower)) continue;
          // `robot` must start a name: `mybot$x` is not `bot$` plus a name.
          const preceding = before.text.length > head.length ? before.text[before.text.length - head.length - 1] : (word.parts[i - 2]?.text.slice(-1) ?? '');
          if (/\w/.test(preceding)) continue;
          if (model.variables.has(part.name!)) continue;
          const dollar = source.toFile(part.span.start);
          const backslash = source.encode('\\');
          const start = source.toFile(before.span.end - head.length);
          sites.push({
            span: { start: Math.min(start, dollar), end: spanToFile(source, part.span).end },
            expander: 'shell',
            variable: `$${part.name}`,
            fix: backslash !== undefined ? { title: `Escape the $: ${head}\\$${part.name}`, edits: [{ span: { start: dollar, end: dollar }, newText: backslash }] } : undefined,
          });
        }
      }
    }
  }
  // make: `robot$x…` anywhere in a Makefile outside `$$` is make's variable `$x`.
  if (model.flavour === 'makefile') {
    const pattern = new RegExp(`(?<!\\w)${escapeRegExp(head)}\\$(?!\\$)([a-z][a-z0-9_]*)`, 'gi');
    for (const m of text.matchAll(pattern)) {
      const dollar = m.index! + head.length;
      if (text[dollar - 1] === '$' || /^\s*#/.test(text.slice(text.lastIndexOf('\n', m.index!) + 1, m.index!))) continue;
      // In a recipe the shell reads the name after make; elsewhere (a make variable) only make does.
      const recipe = text[text.lastIndexOf('\n', m.index!) + 1] === '\t';
      const shellQuoted = !recipe || inSingleQuotes(text, dollar);
      sites.push({
        span: { start: m.index!, end: m.index! + m[0].length },
        expander: 'make',
        variable: `$${m[1][0]}`,
        fix: { title: `Write the $ for make${shellQuoted ? '' : ' and the shell'}: ${head}${shellQuoted ? '$$' : '\\$$'}${m[1]}`, edits: [{ span: { start: dollar, end: dollar + 1 }, newText: shellQuoted ? '$$' : '\\$$' }] },
      });
    }
  }
  // docker compose interpolates `$name` in every value of a compose file.
  if (model.flavour === 'compose' && model.yaml) {
    const pattern = new RegExp(`(?<!\\w)${escapeRegExp(head)}\\$(?!\\$)([A-Za-z_][A-Za-z0-9_]*)`, 'gi');
    for (const doc of model.yaml.documents) {
      visit(doc, {
        Scalar(_, scalar) {
          if (!isScalar(scalar) || typeof scalar.value !== 'string' || !scalar.range) return;
          const [start, end] = scalar.range;
          const source = text.slice(start, end);
          for (const m of source.matchAll(pattern)) {
            if (source[m.index! - 1] === '$') continue;
            const dollar = start + m.index! + head.length;
            sites.push({ span: { start: start + m.index!, end: start + m.index! + m[0].length }, expander: 'compose', variable: `$${m[1]}`, fix: { title: `Write the $ as $$ for compose: ${head}$$${m[1]}`, edits: [{ span: { start: dollar, end: dollar }, newText: '$' }] } });
          }
        },
      });
    }
  }
  // `.env` read by compose: unquoted and double-quoted values are interpolated, single-quoted ones are not.
  if (model.flavour === 'dotenv') {
    const line = new RegExp(`^([ \\t]*(?:export[ \\t]+)?[A-Za-z_][A-Za-z0-9_]*[ \\t]*=[ \\t]*)("?)([^'"\\n#]*?${escapeRegExp(head)}\\$([A-Za-z_][A-Za-z0-9_]*)[^'"\\n]*?)\\2[ \\t]*$`, 'gim');
    for (const m of text.matchAll(line)) {
      const valueStart = m.index! + m[1].length;
      const valueEnd = valueStart + m[2].length * 2 + m[3].length;
      const nameAt = valueStart + m[2].length + m[3].toLowerCase().indexOf(`${headLower}$`);
      sites.push({
        span: { start: nameAt, end: nameAt + head.length + 1 + m[4].length },
        expander: 'compose',
        variable: `$${m[4]}`,
        fix: { title: 'Single-quote the value so compose keeps the $', edits: [{ span: { start: valueStart, end: valueEnd }, newText: `'${m[3]}'` }] },
      });
    }
  }
  return sites;
}

/** Whether an offset on its line sits inside single quotes, as the shell reads a recipe line. */
function inSingleQuotes(text: string, offset: number): boolean {
  let inside = false;
  let inDouble = false;
  for (let i = text.lastIndexOf('\n', offset - 1) + 1; i < offset; i++) {
    const ch = text[i];
    if (ch === '\\' && !inside) i++;
    else if (ch === "'" && !inDouble) inside = !inside;
    else if (ch === '"' && !inside) inDouble = !inDouble;
  }
  return inside;
}
