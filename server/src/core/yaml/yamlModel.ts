/**
 * A read-only view of YAML documents that hands rules exactly what they need:
 * a value, whether it was templated, and the spans to report on or edit.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, Scalar } from 'yaml';
import type { Document, Node, Pair, YAMLError, YAMLMap } from 'yaml';
import { isGeneratedValue } from '../decode';
import { LineIndex, sharedEnds } from '../text';
import type { Span } from '../types';
import { documentsAfterScalarEdit, type Stretch, type YamlParseOptions } from './scalarEdit';
import { maskTemplates, overlapsAny, type MaskedText } from './templateMask';

export interface YamlSyntaxError {
  message: string;
  span: Span;
}

export interface DuplicateKey {
  key: string;
  /** The occurrence that is ignored. */
  ignored: { keySpan: Span; valueSpan: Span; block: boolean };
  /** The last occurrence: the one that applies. */
  kept: { keySpan: Span };
}

export interface ParsedYaml {
  /** The text that was parsed (for YAML embedded in a string: the string's value). */
  text: string;
  lines: LineIndex;
  documents: Document.Parsed[];
  /** Spans already in the outer document's offsets. */
  errors: YamlSyntaxError[];
  /** Keys set twice in one mapping: Helm and the installer keep the last one. Spans in the outer document. */
  duplicates: DuplicateKey[];
  templateSpans: Span[];
  /** Maps an offset in `text` to the document being checked (identity unless embedded). */
  toOuter: (offset: number) => number;
}

const identity = (offset: number) => offset;

// Duplicate keys are not errors to Helm (sigs.k8s.io/yaml) or the installer (PyYAML): the last wins. They are collected below.
const PARSE_OPTIONS: YamlParseOptions = { prettyErrors: false, keepSourceTokens: false, uniqueKeys: false };

/** The text the parser read for each parse (templates masked, nesting limited): what a later edit is compared with. */
const parserInputs = new WeakMap<ParsedYaml, string>();
/** The earlier model of the document being built, while {@link reusingEarlierParse} runs. */
let earlierOnOffer: Offer | undefined;

interface Offer {
  yaml: ParsedYaml;
  reused: boolean;
  consume: boolean;
}

/**
 * Runs `build` with the model of an earlier version of the same document on
 * offer: a `parseYaml` in it (synchronous: `buildContext` recognises the
 * document before its first await) of a text that differs from the earlier
 * one inside one scalar copies the earlier documents with that scalar changed
 * instead of parsing (scalarEdit.ts). `reused` says whether one did.
 *
 * With `consume`, the caller gives the earlier model up (nothing reads it any
 * more): its documents are changed in place into the new ones, without a copy,
 * and it is never offered again.
 */
export function reusingEarlierParse<T>(earlier: ParsedYaml | undefined, build: () => T, { consume = false } = {}): { result: T; reused: boolean } {
  const outer = earlierOnOffer;
  const offer = earlier ? { yaml: earlier, reused: false, consume } : undefined;
  earlierOnOffer = offer;
  try {
    return { result: build(), reused: !!offer?.reused };
  } finally {
    earlierOnOffer = outer;
  }
}

/** What the parser read for this model: the text with templates masked and flow nesting limited. */
export function parserInputOf(parsed: ParsedYaml): string | undefined {
  return parserInputs.get(parsed);
}

/** The earlier model on offer, when it can be reused for a parse of a whole text: one without errors (so without cuts). */
function usableOffer(toOuter: (offset: number) => number): { offer: Offer; input: string } | undefined {
  const offer = earlierOnOffer;
  if (!offer || toOuter !== identity || offer.yaml.toOuter !== identity || offer.yaml.errors.length > 0) return undefined;
  const input = parserInputs.get(offer.yaml);
  return input === undefined ? undefined : { offer, input };
}

const brackets = (line: string) => line.replace(/[^[\]{}]/g, '');

/**
 * The masked text and template spans of `text` from those of the earlier text,
 * when the two differ within one line: templates never span a line break, so
 * only that line is masked again. `sameBrackets`: the masked text has the
 * earlier one's brackets, so nesting is as deep as it was (not over the limit).
 */
function maskedAfterLineEdit(earlier: ParsedYaml, earlierInput: string, text: string): { masked: MaskedText; sameBrackets: boolean; line: Stretch } | undefined {
  const old = earlier.text;
  if (old.length !== earlierInput.length) return undefined;
  const { prefix, suffix } = sharedEnds(old, text);
  const oldEnd = old.length - suffix;
  const delta = text.length - old.length;
  if (old.slice(prefix, oldEnd).includes('\n') || text.slice(prefix, oldEnd + delta).includes('\n')) return undefined;
  const lineStart = old.lastIndexOf('\n', prefix - 1) + 1;
  const found = old.indexOf('\n', oldEnd);
  const lineEnd = found < 0 ? old.length : found;
  const line = maskTemplates(text.slice(lineStart, lineEnd + delta));
  const templateSpans = [
    ...earlier.templateSpans.filter((span) => span.start < lineStart),
    ...line.templateSpans.map((span) => ({ start: span.start + lineStart, end: span.end + lineStart })),
    ...earlier.templateSpans.filter((span) => span.start >= lineEnd).map((span) => ({ start: span.start + delta, end: span.end + delta })),
  ];
  const masked = { text: earlierInput.slice(0, lineStart) + line.text + earlierInput.slice(lineEnd), templateSpans };
  return { masked, sameBrackets: brackets(earlierInput.slice(lineStart, lineEnd)) === brackets(line.text), line: { start: lineStart, end: lineEnd } };
}

/** The earlier model on offer, when `input` differs from what it parsed inside one scalar: its documents and duplicates, updated. */
function afterScalarEdit(usable: { offer: Offer; input: string }, input: string, line: Stretch | undefined): Pick<ParsedYaml, 'documents' | 'duplicates'> | undefined {
  const { offer } = usable;
  const earlier = offer.yaml;
  const edit = documentsAfterScalarEdit({ input: usable.input, documents: earlier.documents }, input, PARSE_OPTIONS, line, offer.consume);
  if (!edit) return undefined;
  offer.reused = true;
  // Its documents are the new model's now: without its parser input, it is not offered again.
  if (offer.consume) parserInputs.delete(earlier);
  const { documents, move } = edit;
  const moveSpan = (span: Span): Span => ({ start: move(span.start), end: move(span.end) });
  // A value's edit leaves every key, so the same duplicates, moved.
  const duplicates = edit.keyEdited
    ? documents.flatMap((doc) => findDuplicateKeys(doc.contents as Node | null, identity))
    : earlier.duplicates.map((duplicate) => ({
        key: duplicate.key,
        ignored: { keySpan: moveSpan(duplicate.ignored.keySpan), valueSpan: moveSpan(duplicate.ignored.valueSpan), block: duplicate.ignored.block },
        kept: { keySpan: moveSpan(duplicate.kept.keySpan) },
      }));
  return { documents, duplicates };
}

export function parseYaml(text: string, toOuter: (offset: number) => number = identity): ParsedYaml {
  // With an earlier version on offer, the steps before the parse redo only the edited line where they can.
  const usable = usableOffer(toOuter);
  const lineEdit = usable && maskedAfterLineEdit(usable.offer.yaml, usable.input, text);
  const masked = lineEdit?.masked ?? maskTemplates(text);
  const errors: YamlSyntaxError[] = [];
  let docs: Document.Parsed[] = [];
  const nested = lineEdit?.sameBrackets ? { text: masked.text, cuts: [] } : limitFlowNesting(masked.text, MAX_FLOW_DEPTH);
  for (const cut of nested.cuts) {
    errors.push({ message: `[ ] or { } nest deeper than ${MAX_FLOW_DEPTH} levels, so the rest of this line was not parsed`, span: { start: toOuter(cut), end: toOuter(cut + 1) } });
  }
  // Outside the edited line, the parser's input is the earlier one (when nothing was cut): only that line is compared.
  const reused = usable && nested.cuts.length === 0 ? afterScalarEdit(usable, nested.text, lineEdit?.sameBrackets ? lineEdit.line : undefined) : undefined;
  if (reused) return remember({ text, lines: new LineIndex(text), documents: reused.documents, errors, duplicates: reused.duplicates, templateSpans: masked.templateSpans, toOuter }, nested.text);
  try {
    const documents = parseAllDocuments(nested.text, PARSE_OPTIONS);
    docs = Array.isArray(documents) ? documents : [];
  } catch (error) {
    // The parser recurses on nesting; pathological depth must cost a finding, not the server.
    errors.push({ message: `this YAML could not be parsed (${(error as Error).message})`, span: { start: toOuter(0), end: toOuter(Math.min(text.length, 1)) } });
  }
  for (const doc of docs) {
    for (const error of doc.errors) {
      // At the end of the text (an unterminated quote) the library points one past it: keep the span inside.
      const start = Math.min(error.pos[0], Math.max(text.length - 1, 0));
      const end = Math.min(Math.max(error.pos[1], start + 1), text.length);
      errors.push({ message: describeYamlError(error.code), span: { start: toOuter(start), end: toOuter(end) } });
    }
  }
  const duplicates = docs.flatMap((doc) => findDuplicateKeys(doc.contents as Node | null, toOuter));
  return remember({ text, lines: new LineIndex(text), documents: docs, errors, duplicates, templateSpans: masked.templateSpans, toOuter }, nested.text);
}

function remember(parsed: ParsedYaml, parserInput: string): ParsedYaml {
  parserInputs.set(parsed, parserInput);
  return parsed;
}

/** Every key that a later key of the same mapping overrides, at any depth (bounded). */
function findDuplicateKeys(root: Node | null, toOuter: (offset: number) => number): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const pending: { node: Node | null; depth: number }[] = [{ node: root, depth: 0 }];
  const span = (range: [number, number, number] | null | undefined, fallback: number): Span =>
    range ? { start: toOuter(range[0]), end: toOuter(range[1]) } : { start: toOuter(fallback), end: toOuter(fallback) };
  let visited = 0;
  while (pending.length > 0 && visited++ < 100_000) {
    const { node, depth } = pending.pop()!;
    if (!node || depth > 64) continue;
    if (isSeq(node)) for (const item of node.items) pending.push({ node: item as Node, depth: depth + 1 });
    if (!isMap(node)) continue;
    const last = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = keyText(pair);
      if (key !== undefined) last.set(key, pair);
      pending.push({ node: pair.value as Node | null, depth: depth + 1 });
    }
    for (const pair of node.items) {
      const key = keyText(pair);
      const kept = key === undefined ? undefined : last.get(key);
      if (!kept || kept === pair) continue;
      const keyNode = pair.key as Node;
      const value = pair.value as Node | null;
      found.push({
        key: key!,
        ignored: { keySpan: span(keyNode.range, 0), valueSpan: span(value?.range, keyNode.range?.[1] ?? 0), block: !!value && (isMap(value) || isSeq(value)) },
        kept: { keySpan: span((kept.key as Node).range, 0) },
      });
    }
  }
  return found;
}

/** No real config nests flow collections this deep; the parser's cost and recursion grow with depth. */
const MAX_FLOW_DEPTH = 100;

/**
 * Blanks the rest of any line where `[`/`{` open level `limit + 1`, keeping
 * offsets; returns where it cut. Counts brackets anywhere (also in quotes and
 * comments): no real config has a hundred more openers than closers.
 */
function limitFlowNesting(text: string, limit: number): { text: string; cuts: number[] } {
  const cuts: number[] = [];
  const parts: string[] = [];
  let copied = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5b || char === 0x7b) {
      if (++depth <= limit) continue;
      const lineEnd = text.indexOf('\n', i);
      const end = lineEnd < 0 ? text.length : lineEnd;
      cuts.push(i);
      parts.push(text.slice(copied, i), ' '.repeat(end - i));
      copied = end;
      depth = limit;
      i = end - 1;
    } else if ((char === 0x5d || char === 0x7d) && depth > 0) depth--;
  }
  if (cuts.length === 0) return { text, cuts };
  parts.push(text.slice(copied));
  return { text: parts.join(''), cuts };
}

/**
 * YAML held in a literal block scalar (`values: |` in an Argo CD Application):
 * parsed on its own, with offsets mapped back line by line so that findings
 * and fixes land on the right line of the outer file. Other scalar styles are
 * not mapped (their line structure differs from the source) and return undefined.
 */
export function parseEmbeddedYaml(outer: ParsedYaml, node: Scalar, outerLines: LineIndex): ParsedYaml | undefined {
  if (node.type !== Scalar.BLOCK_LITERAL || typeof node.value !== 'string' || !node.range) return undefined;
  const headerLine = outerLines.positionAt(outer.toOuter(node.range[0])).line;
  const header = outerLines.lineText(headerLine);
  const explicit = /\|[+-]?([1-9])/.exec(header.slice(header.lastIndexOf('|')));
  let indent = -1;
  for (let line = headerLine + 1; line < outerLines.lineCount && indent < 0; line++) {
    const text = outerLines.lineText(line);
    if (text.trim() !== '') indent = text.length - text.trimStart().length;
  }
  if (explicit) indent = outerLines.indentOf(headerLine).length + Number(explicit[1]);
  if (indent < 0) return undefined;
  const innerLines = new LineIndex(node.value);
  const toOuter = (offset: number) => {
    const { line, character } = innerLines.positionAt(offset);
    const outerLine = headerLine + 1 + line;
    if (outerLine >= outerLines.lineCount) return outerLines.text.length;
    const start = outerLines.lineStart(outerLine);
    const lineLength = outerLines.lineEnd(outerLine) - start;
    return start + Math.min(indent + character, lineLength);
  };
  return parseYaml(node.value, toOuter);
}

/**
 * Our own wording per error code: the library's messages quote the source
 * text (`Block scalar header includes extra characters: |<value>`), and the
 * value may be a password.
 */
const YAML_ERRORS: Partial<Record<YAMLError['code'], string>> = {
  BAD_INDENT: 'the indentation does not fit the surrounding block',
  TAB_AS_INDENT: 'a tab is used for indentation (YAML allows only spaces)',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  BAD_DQ_ESCAPE: 'a backslash escape in a double-quoted string is not valid',
  BAD_SCALAR_START: 'a plain value starts with a character YAML reserves (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a block is used as a key',
  BLOCK_IN_FLOW: 'a block appears inside [ ] or { }',
  DUPLICATE_KEY: 'a key appears twice in the same mapping (Helm rejects this)',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines (a missing colon or quote above?)',
  MULTIPLE_ANCHORS: 'a node has two anchors',
  MULTIPLE_TAGS: 'a node has two tags',
  BAD_ALIAS: 'an alias refers to an anchor that is not defined',
  ALIAS_PROPS: 'an alias has a tag or anchor of its own',
  BAD_DIRECTIVE: 'a % directive is not valid',
  BAD_PROP_ORDER: 'an anchor or tag is in the wrong place',
  NON_STRING_KEY: 'a key is not a plain string',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  TAG_RESOLVE_FAILED: 'a value does not fit its tag',
  BAD_COLLECTION_TYPE: 'a collection does not fit its tag',
  UNEXPECTED_TOKEN: 'unexpected text (for a block scalar, `|` or `>` must end its line)',
  MULTIPLE_DOCS: 'several documents where one is expected',
  RESOURCE_EXHAUSTION: 'too many aliases to expand',
};

function describeYamlError(code: YAMLError['code']): string {
  return YAML_ERRORS[code] ?? `the YAML is not valid here (${code})`;
}

/** One `key: value` pair as rules see it. */
export interface YamlEntry {
  key: string;
  path: readonly string[];
  pair: Pair;
  keySpan: Span;
  /** Span of the value node; an empty span right after the colon when there is no value. */
  valueSpan: Span;
  /** False for a bare key with no colon (the parser's recovery, e.g. a last line `externalURL`); its valueSpan is empty, at the key's end. */
  hasColon: boolean;
  /** The value node, with aliases resolved; null for `key:` with nothing after it. */
  node: Node | null;
  /** Scalar value as JS (string, number, boolean, null); undefined for collections. */
  value: unknown;
  /** Source text of the value node (as written, before alias resolution). */
  source: string;
  /** The value comes from a template, an environment variable or an encryption tool. */
  generated: boolean;
}

/** A mapping, with the document it belongs to, that rules can query by dotted path. */
export class YamlMapView {
  constructor(
    readonly yaml: ParsedYaml,
    readonly document: Document.Parsed,
    readonly map: YAMLMap,
    readonly path: readonly string[] = [],
  ) {}

  get span(): Span {
    const [start, , end] = this.map.range ?? [0, 0, 0];
    return { start: this.yaml.toOuter(start), end: this.yaml.toOuter(end) };
  }

  keys(): string[] {
    return this.map.items.map((pair) => keyText(pair)).filter((k): k is string => k !== undefined);
  }

  /** The entry at a dotted path (`core.tokenKey`) or a path array. */
  get(path: string | readonly string[]): YamlEntry | undefined {
    const parts = typeof path === 'string' ? path.split('.') : path;
    let view: YamlMapView | undefined = this;
    for (let i = 0; i < parts.length - 1 && view; i++) view = view.getMap(parts[i]);
    return view?.entry(parts[parts.length - 1]);
  }

  getMap(path: string | readonly string[]): YamlMapView | undefined {
    const parts = typeof path === 'string' ? path.split('.') : path;
    let view: YamlMapView | undefined = this;
    for (const part of parts) {
      const entry: YamlEntry | undefined = view?.entry(part);
      const node: Node | null | undefined = entry?.node;
      view = node && isMap(node) ? new YamlMapView(this.yaml, this.document, node, [...view!.path, part]) : undefined;
      if (!view) return undefined;
    }
    return view;
  }

  /** A string value, or undefined when absent, empty, not a scalar, or generated. */
  literalString(path: string | readonly string[]): { entry: YamlEntry; value: string } | undefined {
    const entry = this.get(path);
    if (!entry || entry.generated || entry.value === undefined || entry.value === null) return undefined;
    const value = String(entry.value);
    return value.trim() === '' ? undefined : { entry, value };
  }

  /** Whether a key is set to something other than empty or null. */
  isSet(path: string | readonly string[]): boolean {
    const entry = this.get(path);
    if (!entry) return false;
    if (entry.generated) return true;
    if (entry.node && !isScalar(entry.node)) return true;
    return entry.value !== null && entry.value !== undefined && String(entry.value).trim() !== '';
  }

  entries(): YamlEntry[] {
    return this.map.items.map((pair) => this.toEntry(pair)).filter((e): e is YamlEntry => e !== undefined);
  }

  private entry(key: string): YamlEntry | undefined {
    // The last occurrence wins, as in Helm.
    for (let i = this.map.items.length - 1; i >= 0; i--) {
      const pair = this.map.items[i];
      if (keyText(pair) === key) return this.toEntry(pair);
    }
    return undefined;
  }

  private toEntry(pair: Pair): YamlEntry | undefined {
    const key = keyText(pair);
    const keyNode = pair.key as Node | null;
    if (key === undefined || !keyNode?.range) return undefined;
    const innerKey = { start: keyNode.range[0], end: keyNode.range[1] };
    const written = pair.value as Node | null;
    let node = written;
    if (node && isAlias(node)) node = (node.resolve(this.document) as Node | undefined) ?? null;
    const afterColon = written?.range ? undefined : colonEnd(this.yaml.text, innerKey.end);
    const innerValue = written?.range
      ? { start: written.range[0], end: written.range[1] }
      : { start: afterColon ?? innerKey.end, end: afterColon ?? innerKey.end };
    const source = this.yaml.text.slice(innerValue.start, innerValue.end);
    const value = node && isScalar(node) ? (node as Scalar).value : node ? undefined : null;
    const generated =
      overlapsAny(innerValue, this.yaml.templateSpans) ||
      yttSetsValue(this.yaml, innerKey.start, innerValue.end) ||
      (typeof value === 'string' && isGeneratedValue(value)) ||
      isGeneratedValue(source);
    const { toOuter } = this.yaml;
    const keySpan = { start: toOuter(innerKey.start), end: toOuter(innerKey.end) };
    const valueSpan = { start: toOuter(innerValue.start), end: toOuter(innerValue.end) };
    return { key, path: [...this.path, key], pair, keySpan, valueSpan, hasColon: written?.range ? true : afterColon !== undefined, node, value, source, generated };
  }
}

/**
 * ytt (Carvel) sets values with comments YAML ignores: `key: #@ data.values.host`,
 * text templates `(@= ... @)`, and annotations on the line above the key
 * (`#@overlay/replace`, `#@ if ...`). Such a value is unknown, never empty.
 */
function yttSetsValue(yaml: ParsedYaml, keyStart: number, valueEnd: number): boolean {
  const text = yaml.text;
  if (!mentionsYtt(yaml)) return false;
  const lineEnd = text.indexOf('\n', valueEnd);
  const rest = text.slice(keyStart, lineEnd < 0 ? text.length : lineEnd);
  if (/(^|\s)#@/.test(rest) || rest.includes('(@=')) return true;
  // The line above the key (skipping blank lines) is a ytt annotation.
  let cursor = text.lastIndexOf('\n', keyStart - 1);
  while (cursor > 0) {
    const start = text.lastIndexOf('\n', cursor - 1) + 1;
    const line = text.slice(start, cursor).trim();
    if (line === '') {
      cursor = start - 1;
      continue;
    }
    return line.startsWith('#@') && !line.startsWith('#@ load(') && !/^#@\s*(end|else)\b/.test(line) ? true : false;
  }
  return false;
}

/** Whether the text has any ytt syntax; asked for every entry read, so found once per text. */
const yttMentions = new WeakMap<ParsedYaml, boolean>();
function mentionsYtt(yaml: ParsedYaml): boolean {
  let mentions = yttMentions.get(yaml);
  if (mentions === undefined) yttMentions.set(yaml, (mentions = yaml.text.includes('#@') || yaml.text.includes('(@')));
  return mentions;
}

/** The offset just past the `:` that follows a key (spaces allowed before it), or undefined when there is none. */
function colonEnd(text: string, keyEnd: number): number | undefined {
  let at = keyEnd;
  while (text[at] === ' ' || text[at] === '\t') at++;
  return text[at] === ':' ? at + 1 : undefined;
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key as Node | null;
  if (key && isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/** The root mapping of each document that has one. */
export function rootMaps(yaml: ParsedYaml): YamlMapView[] {
  return yaml.documents
    .filter((doc) => doc.contents && isMap(doc.contents))
    .map((doc) => new YamlMapView(yaml, doc, doc.contents as YAMLMap));
}

export function isSequenceNode(node: Node | null): boolean {
  return !!node && isSeq(node);
}
