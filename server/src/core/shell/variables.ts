/**
 * Variables a script assigns (`NAME=value`, `export NAME=…`, CI `env:` maps),
 * so that `curl -H "$AUTH" "$HARBOR/api/v2.0/…"` can be read as the request
 * it makes. Only values written in the same file are known; the rest stay
 * `$NAME`, which rules treat as unknown, never as empty.
 */
import type { SimpleCommand, Word } from './lexer';

export interface Assignment {
  name: string;
  /** The value with the assignment's own expansions left as written. */
  value: string;
  /** File offset of the assignment, to pick the one in effect at a use. */
  at: number;
}

export class Variables {
  private readonly byName = new Map<string, Assignment[]>();
  /** Per name, the assignments ordered by offset (insertion order among equal offsets), built on first use. */
  private readonly byOffset = new Map<string, Assignment[]>();

  add(assignment: Assignment): void {
    const list = this.byName.get(assignment.name) ?? [];
    list.push(assignment);
    this.byName.set(assignment.name, list);
    this.byOffset.delete(assignment.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The value in effect at a file offset: the last assignment before it, or else the first one after (a function defined above its caller). */
  valueAt(name: string, at: number): string | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    if (list.length < 8) {
      let best: Assignment | undefined;
      for (const assignment of list) if (assignment.at <= at && (!best || assignment.at > best.at)) best = assignment;
      return (best ?? list[0]).value;
    }
    // A long script assigns `repo` in every function: search the offsets instead of reading them all at every use.
    let sorted = this.byOffset.get(name);
    if (!sorted) this.byOffset.set(name, (sorted = [...list].sort((a, b) => a.at - b.at)));
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sorted[mid].at <= at) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return list[0].value;
    // The first assignment made at the nearest offset, as the linear reading picks it.
    let first = low - 1;
    while (first > 0 && sorted[first - 1].at === sorted[low - 1].at) first--;
    return sorted[first].value;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** A word's value with known variables substituted (three levels deep at most). */
  expand(word: Word, at: number): string {
    let result = '';
    for (const part of word.parts) {
      if (part.kind === 'param' && part.name && /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(part.text.replace(/^\$\$/, '$'))) {
        result += this.expandText(this.valueAt(part.name, at) ?? part.text, at, 2);
      } else result += part.text;
    }
    return result;
  }

  private expandText(text: string, at: number, depth: number): string {
    if (depth === 0 || !text.includes('$')) return text;
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
      const value = this.valueAt((braced ?? bare)!, at);
      return value === undefined ? whole : this.expandText(value, at, depth - 1);
    });
  }
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/;

/** `NAME=value` words at the start of a command, or after `export`, `local`, `readonly`, `declare`. */
export function assignmentsOf(command: SimpleCommand): { name: string; word: Word; valueStart: number }[] {
  const found: { name: string; word: Word; valueStart: number }[] = [];
  const { words } = command;
  let i = 0;
  if (/^(export|local|readonly|declare|typeset)$/.test(words[0]?.value ?? '')) {
    i = 1;
    while (i < words.length && words[i].value.startsWith('-')) i++;
  }
  for (; i < words.length; i++) {
    const word = words[i];
    const match = ASSIGNMENT.exec(word.value);
    if (!match || word.parts[0]?.kind !== 'literal') break;
    found.push({ name: match[1], word, valueStart: match[0].length });
  }
  return found;
}
