/**
 * Typing in a value of a long values file: the `yaml` library's parse is most
 * of an analysis (about 190 ms on 10,000 lines), and a keystroke inside one
 * scalar changes nothing else. So the previous version's documents are copied
 * with that scalar replaced and every later offset moved, instead of parsing
 * again (issue 11 item 9).
 *
 * Only where the result is what a fresh parse gives, which holds when:
 * - the previous parse had no error or warning, and its documents are YAML 1.2
 *   made only of plain maps, sequences, scalars and aliases;
 * - the parser's input (templates masked, flow nesting limited) differs by one
 *   edit on one line, inside a key or value that is a plain or quoted scalar on
 *   one line without a tag;
 * - the new text of that scalar, parsed on its own in the same position (a key
 *   or a value) with the same options, is one scalar of the same style that
 *   covers all of it, with no error, warning, comment or property: then the
 *   lexer ends it where it ended before, the text around it reads as before,
 *   and its value comes from the library's own schema (`true` → `truex` is a
 *   string, as in a fresh parse);
 * - inside `[ ]` or `{ }`, a plain scalar's new text holds none of `,[]{}:#`
 *   (they end or split a plain scalar there, unlike in the standalone parse).
 * Anything else returns undefined, and the caller parses.
 *
 * The copy shares nothing mutable with the previous documents (their readers,
 * such as a hover on the older version, are not disturbed); nodes are copied
 * without the library's `clone()`, which costs half a parse. Copying is still
 * most of the cost, so a caller that holds the only reference to the earlier
 * documents may have them changed in place instead (`consume`).
 */
import { Alias, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Document, DocumentOptions, Node, ParseOptions, SchemaOptions } from 'yaml';
import { sharedEnds } from '../text';

export type YamlParseOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** What the parser read and what it made of it. */
export interface ParserRun {
  input: string;
  documents: readonly Document.Parsed[];
}

/** Properties a scalar gets from its own text (the library's scalar resolution). */
const FROM_TEXT = new Set(['value', 'source', 'type', 'format', 'minFractionDigits', 'range']);
/** Properties a scalar gets from the text around it, kept as they were. */
const FROM_CONTEXT = ['anchor', 'comment', 'commentBefore', 'spaceBefore'] as const;
const ONE_LINE_SCALARS = new Set<unknown>([Scalar.PLAIN, Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE]);
/** In flow context these end or split a plain scalar (or start a comment after a space). */
const FLOW_SENSITIVE = /[[\]{},:#]/;

export interface ScalarEdit {
  documents: Document.Parsed[];
  /** Where an offset of the earlier input is in the new one (offsets inside the edited scalar stay). */
  move: (offset: number) => number;
  /** The edited scalar is a key: key paths and duplicate keys may differ, not only offsets. */
  keyEdited: boolean;
}

/**
 * The documents `input` parses to, from those of `earlier`, when the two inputs
 * differ by an edit inside one scalar (see the module comment); else undefined.
 */
export function documentsAfterScalarEdit(earlier: ParserRun, input: string, options: YamlParseOptions, within?: Stretch, consume = false): ScalarEdit | undefined {
  if (!earlier.documents.every(isPlainYaml12)) return undefined;
  const update = consume ? moveInPlace : copyDocuments;
  if (earlier.input === input) {
    const documents = update(earlier.documents, undefined);
    return documents && { documents, move: (offset) => offset, keyEdited: false };
  }
  const { prefix, suffix } = within ? sharedEndsWithin(earlier.input, input, within) : sharedEnds(earlier.input, input);
  const oldEnd = earlier.input.length - suffix;
  const delta = input.length - earlier.input.length;
  if (/[\r\n]/.test(earlier.input.slice(prefix, oldEnd)) || /[\r\n]/.test(input.slice(prefix, oldEnd + delta))) return undefined;

  const found = scalarAround(earlier.documents, prefix, oldEnd);
  if (!found) return undefined;
  const { scalar, atKey, inFlow } = found;
  const [start, end] = scalar.range!;
  if (!ONE_LINE_SCALARS.has(scalar.type) || scalar.tag !== undefined || end <= start) return undefined;
  if (Object.keys(scalar).some((key) => !FROM_TEXT.has(key) && !(FROM_CONTEXT as readonly string[]).includes(key))) return undefined;
  if (/[\r\n]/.test(earlier.input.slice(start, end))) return undefined;
  const source = input.slice(start, end + delta);
  if (source === '') return undefined; // an empty value is a null node with ranges of its own
  if (inFlow && scalar.type === Scalar.PLAIN && FLOW_SENSITIVE.test(source)) return undefined;

  const replacement = parseScalarAlone(source, atKey, scalar.type!, options);
  if (!replacement) return undefined;
  for (const key of FROM_CONTEXT) if (Object.prototype.hasOwnProperty.call(scalar, key)) replacement[key] = scalar[key] as never;
  replacement.range = [start, end + delta, scalar.range![2] + delta];
  const documents = update(earlier.documents, { scalar, replacement, start, end, delta });
  return documents && { documents, move: (offset) => (offset >= end ? offset + delta : offset), keyEdited: atKey };
}

/** A stretch of the earlier input outside which the new input is the same (the edited line, as the caller knows it). */
export interface Stretch {
  start: number;
  end: number;
}

/** sharedEnds() of two texts known to differ only within `within`: compares that stretch alone. */
function sharedEndsWithin(earlier: string, input: string, within: Stretch): { prefix: number; suffix: number } {
  const delta = input.length - earlier.length;
  const inner = sharedEnds(earlier.slice(within.start, within.end), input.slice(within.start, within.end + delta));
  return { prefix: within.start + inner.prefix, suffix: inner.suffix + earlier.length - within.end };
}

function isPlainYaml12(doc: Document.Parsed): boolean {
  return doc.errors.length === 0 && doc.warnings.length === 0 && doc.directives?.yaml.version === '1.2';
}

/** The scalar whose source contains `from`..`to` (inclusive ends), with where it sits. */
function scalarAround(documents: readonly Document.Parsed[], from: number, to: number): { scalar: Scalar; atKey: boolean; inFlow: boolean } | undefined {
  const contains = (range: readonly number[] | null | undefined, end: number) => !!range && range[0] <= from && to <= end;
  for (const doc of documents) {
    if (!contains(doc.range, doc.range[2])) continue;
    const found = scalarIn(doc.contents as Node | null, from, to, contains);
    if (found) return found;
  }
  return undefined;
}

function scalarIn(root: Node | null, from: number, to: number, contains: (range: readonly number[] | null | undefined, end: number) => boolean): { scalar: Scalar; atKey: boolean; inFlow: boolean } | undefined {
  let node: Node | null | undefined = root;
  let inFlow = false;
  // A document that is one scalar is not handled: at the start of a line, `---` and `...` mean something else.
  while (node && (node instanceof YAMLMap || node instanceof YAMLSeq)) {
    inFlow ||= !!node.flow;
    let next: Node | undefined;
    for (const item of node.items as unknown[]) {
      if (item instanceof Pair) {
        const key = item.key as Node | null;
        const value = item.value as Node | null;
        if (key instanceof Scalar && contains(key.range, key.range![1])) return { scalar: key, atKey: true, inFlow };
        if (value instanceof Scalar && contains(value.range, value.range![1])) return { scalar: value, atKey: false, inFlow };
        if (value && contains(value.range, value.range![2])) next = value;
        else if (key && contains(key.range, key.range![2])) next = key;
      } else if (item instanceof Scalar && contains(item.range, item.range![1])) {
        return { scalar: item, atKey: false, inFlow };
      } else if (item && contains((item as Node).range, (item as Node).range![2])) {
        next = item as Node;
      }
      if (next) break;
    }
    node = next;
  }
  return undefined;
}

/**
 * `source` parsed as a key (`source: v`) or a value (`k: source`) with the same
 * options: the scalar, when it is one scalar of the given style covering all of
 * `source`, with nothing else; else undefined.
 */
function parseScalarAlone(source: string, atKey: boolean, type: Scalar.Type, options: YamlParseOptions): Scalar | undefined {
  // A document marker where a line starts (inside a flow collection that spans lines) ends the document there.
  if (/^(---|\.\.\.)(\s|$)/.test(source)) return undefined;
  const offset = atKey ? 0 : 'k: '.length;
  // A line follows, as in the file: at the very end of its input the library takes `'q''` or `"a\"` as
  // closed, where in the file the quote stays open and swallows what follows.
  const doc = parseDocument(atKey ? `${source}: v\nz: v\n` : `k: ${source}\nz: v\n`, options);
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !(doc.contents instanceof YAMLMap) || doc.contents.items.length !== 2) return undefined;
  const pair = doc.contents.items[0];
  const node = atKey ? pair.key : pair.value;
  if (!(node instanceof Scalar) || node.type !== type || !node.range) return undefined;
  if (node.range[0] !== offset || node.range[1] !== offset + source.length) return undefined;
  if (Object.keys(node).some((key) => !FROM_TEXT.has(key))) return undefined; // a tag, anchor or comment came with it
  return node;
}

interface Replacement {
  scalar: Scalar;
  replacement: Scalar;
  /** The replaced scalar's source in the earlier input. */
  start: number;
  end: number;
  delta: number;
}

/** Thrown inside the copy when a node is not one this module knows how to copy exactly. */
class NotCopied extends Error {}

// Read once: in the bundle, every use of an import is a getter call, and the copy visits every node.
const ScalarNode = Scalar;
const MapNode = YAMLMap;
const SeqNode = YAMLSeq;
const PairNode = Pair;
const AliasNode = Alias;

/**
 * Copies of the documents, with the replacement made and the offsets after it
 * moved. Every node is a new object, also those before the edit that keep their
 * offsets: a model may later be changed in place (`consume`), and must then
 * share no node with another.
 */
function copyDocuments(documents: readonly Document.Parsed[], edit: Replacement | undefined): Document.Parsed[] | undefined {
  const end = edit ? edit.end : Infinity;
  const start = edit ? edit.start : Infinity;
  const delta = edit ? edit.delta : 0;
  const move = (offset: number): number => {
    if (offset >= end) return offset + delta;
    // Offsets inside the replaced scalar belong to it alone.
    if (offset > start) throw new NotCopied('an offset inside the edited scalar');
    return offset;
  };
  const moveRange = (range: [number, number, number]): [number, number, number] => [move(range[0]), move(range[1]), move(range[2])];

  const copy = (node: unknown): unknown => {
    if (node === null || node === undefined) return node;
    if (edit && node === edit.scalar) return edit.replacement;
    const prototype = Object.getPrototypeOf(node);
    if (prototype === PairNode.prototype) {
      const pair = node as Pair;
      const result: Pair<unknown, unknown> = Object.assign(new PairNode<unknown, unknown>(null), pair);
      result.key = copy(pair.key);
      result.value = copy(pair.value);
      return result;
    }
    const range = (node as Node).range;
    if (prototype === ScalarNode.prototype) {
      const scalar = node as Scalar;
      const result = Object.assign(new ScalarNode(scalar.value), scalar);
      if (range) result.range = moveRange(range);
      return result;
    }
    if (prototype === MapNode.prototype || prototype === SeqNode.prototype) {
      const collection = node as YAMLMap | YAMLSeq;
      const result = Object.assign(prototype === MapNode.prototype ? new MapNode(collection.schema) : new SeqNode(collection.schema), collection);
      const items = collection.items as unknown[];
      const copied = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) copied[i] = copy(items[i]);
      result.items = copied as never;
      if (range) result.range = moveRange(range);
      return result;
    }
    if (prototype === AliasNode.prototype) {
      const alias = node as Alias;
      const result = Object.assign(new AliasNode(alias.source), alias);
      if (range) result.range = moveRange(range);
      return result;
    }
    throw new NotCopied('a node of another class (a tag such as !!set or !!omap)');
  };

  try {
    return documents.map((doc) => {
      const result = Object.create(Object.getPrototypeOf(doc), Object.getOwnPropertyDescriptors(doc)) as Document.Parsed;
      result.contents = copy(doc.contents) as Document.Parsed['contents'];
      result.range = moveRange(doc.range);
      result.errors = [];
      result.warnings = [];
      return result;
    });
  } catch (error) {
    // A document nested deeper than this copy can recurse is parsed again, like any other case not handled.
    if (error instanceof NotCopied || error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * The documents themselves, with the replacement made and the offsets after it
 * moved: for a caller giving up the earlier documents. Everything is checked
 * before anything is changed, so that undefined leaves them as they were.
 */
function moveInPlace(documents: readonly Document.Parsed[], edit: Replacement | undefined): Document.Parsed[] | undefined {
  if (!edit) return [...documents];
  const { start, end, delta } = edit;
  const ranges: [number, number, number][] = [];
  let slot: { parent: Pair | unknown[]; key: 'key' | 'value' | number } | undefined;
  const inside = (offset: number) => offset > start && offset < end;
  // The check: false when a node cannot be moved exactly (then nothing is changed).
  const visit = (node: unknown, parent: Pair | unknown[] | undefined, key: 'key' | 'value' | number): boolean => {
    if (node === null || node === undefined) return true;
    if (node === edit.scalar) {
      slot = parent && { parent, key }; // a document that is one scalar is not edited here
      return !!parent;
    }
    const prototype = Object.getPrototypeOf(node);
    if (prototype === PairNode.prototype) return visit((node as Pair).key, node as Pair, 'key') && visit((node as Pair).value, node as Pair, 'value');
    const range = (node as Node).range;
    if (range && range[2] < start) return true; // before the edit: stays as it is
    if (prototype !== ScalarNode.prototype && prototype !== MapNode.prototype && prototype !== SeqNode.prototype && prototype !== AliasNode.prototype) return false;
    if (range) {
      if (inside(range[0]) || inside(range[1]) || inside(range[2])) return false;
      ranges.push(range);
    }
    if (prototype === MapNode.prototype || prototype === SeqNode.prototype) {
      const items = (node as YAMLMap | YAMLSeq).items as unknown[];
      for (let i = 0; i < items.length; i++) if (!visit(items[i], items, i)) return false;
    }
    return true;
  };
  try {
    for (const doc of documents) if (!visit(doc.contents, undefined, 0)) return undefined;
  } catch (error) {
    if (error instanceof RangeError) return undefined; // nested deeper than this walk recurses
    throw error;
  }
  if (!slot) return undefined;
  for (const range of ranges) {
    if (range[0] >= end) range[0] += delta;
    if (range[1] >= end) range[1] += delta;
    if (range[2] >= end) range[2] += delta;
  }
  (slot.parent as unknown as Record<string | number, unknown>)[slot.key] = edit.replacement;
  for (const doc of documents) {
    doc.range = [doc.range[0] >= end ? doc.range[0] + delta : doc.range[0], doc.range[1] >= end ? doc.range[1] + delta : doc.range[1], doc.range[2] >= end ? doc.range[2] + delta : doc.range[2]];
  }
  return [...documents];
}
