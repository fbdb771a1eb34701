/**
 * Tree walking for rules: depth-first over blocks and over the files that
 * `include` pulls in, without recursion (configs can nest 10,000 deep).
 */
import type { NginxDirective, NginxFile } from './ast';

export interface WalkEntry {
  directive: NginxDirective;
  /** Enclosing block directives, outermost first (include directives are not listed). */
  readonly parents: NginxDirective[];
}

/** Include chains deeper than this are not followed (resolveIncludes stops far earlier). */
const MAX_INCLUDE_DEPTH = 64;

/**
 * The enclosing blocks as a linked chain, shared by all children of a block;
 * the array is built on first use, so walking a 10,000-deep tree stays linear.
 */
class Parents {
  private array: NginxDirective[] | undefined;
  constructor(
    private readonly base: readonly NginxDirective[],
    private readonly up: Parents | null,
    private readonly directive: NginxDirective | null,
  ) {}

  get(): NginxDirective[] {
    if (this.array) return this.array;
    const chain: NginxDirective[] = [];
    let node: Parents | null = this;
    let base: readonly NginxDirective[] = [];
    while (node) {
      if (node.array) {
        base = node.array;
        break;
      }
      if (node.directive) chain.push(node.directive);
      base = node.base;
      node = node.up;
    }
    this.array = [...base, ...chain.reverse()];
    return this.array;
  }
}

class Entry implements WalkEntry {
  constructor(
    readonly directive: NginxDirective,
    private readonly chain: Parents,
  ) {}

  get parents(): NginxDirective[] {
    return this.chain.get();
  }
}

/** Where an iterative walk stands in one list of directives. */
export interface WalkFrame {
  list: readonly NginxDirective[];
  index: number;
  /** Files this frame is inside of through includes, to stop on a hand-made cycle. */
  files: readonly NginxFile[];
}

interface Frame extends WalkFrame {
  parents: Parents;
}

/**
 * The next directive of an iterative walk, left with its frame on top of `stack` (a walk pushes the
 * directive's block after it). With `enter`, an include whose files are resolved is not returned: the
 * files it enters are pushed in its place, each made into a frame by `enter`.
 */
export function nextDirective<F extends WalkFrame>(stack: F[], enter?: (top: F, file: NginxFile) => F): NginxDirective | undefined {
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index >= top.list.length) {
      stack.pop();
      continue;
    }
    const directive = top.list[top.index++];
    if (enter && directive.name === 'include' && directive.included) {
      for (const file of includedToEnter(directive.included, top.files)) stack.push(enter(top, file));
      continue;
    }
    return directive;
  }
  return undefined;
}

/**
 * Yields every directive in text order, parents before children. An `include`
 * whose `included` is set is replaced by the directives of its files (in the
 * include's place, with the include's parents); an unresolved include is
 * yielded itself.
 */
export function* walkDirectives(directives: readonly NginxDirective[], parents: readonly NginxDirective[] = []): Generator<WalkEntry> {
  const stack: Frame[] = [{ list: directives, index: 0, parents: new Parents(parents, null, null), files: [] }];
  const enter = (top: Frame, file: NginxFile): Frame => ({ list: file.directives, index: 0, parents: top.parents, files: [...top.files, file] });
  for (let directive = nextDirective(stack, enter); directive; directive = nextDirective(stack, enter)) {
    const top = stack[stack.length - 1];
    yield new Entry(directive, top.parents);
    if (directive.block && directive.block.length > 0) {
      stack.push({ list: directive.block, index: 0, parents: new Parents([], top.parents, directive), files: top.files });
    }
  }
}

/**
 * The files of an include that a walk inside `files` enters, last first (pushed on a stack, they are walked in
 * order): none past the include depth limit, none the walk is already inside of (a hand-made cycle).
 */
function includedToEnter(included: readonly NginxFile[], files: readonly NginxFile[]): NginxFile[] {
  if (files.length >= MAX_INCLUDE_DEPTH) return [];
  const enter: NginxFile[] = [];
  for (let i = included.length - 1; i >= 0; i--) if (!files.includes(included[i])) enter.push(included[i]);
  return enter;
}

/** Every directive named `name`, anywhere below `directives` (includes followed). */
export function findAll(directives: readonly NginxDirective[], name: string): NginxDirective[] {
  return findAllNamed(directives, [name])[0];
}

/** For each of `names`, what findAll finds, in one walk. */
function findAllNamed(directives: readonly NginxDirective[], names: readonly string[]): NginxDirective[][] {
  // walkDirectives' walk without its entries and parent chains: rules index a whole file with this on every keystroke.
  const found: NginxDirective[][] = names.map(() => []);
  const stack: WalkFrame[] = [{ list: directives, index: 0, files: [] }];
  const enter = (top: WalkFrame, file: NginxFile): WalkFrame => ({ list: file.directives, index: 0, files: [...top.files, file] });
  for (let directive = nextDirective(stack, enter); directive; directive = nextDirective(stack, enter)) {
    const at = names.indexOf(directive.name);
    if (at >= 0) found[at].push(directive);
    if (directive.block && directive.block.length > 0) stack.push({ list: directive.block, index: 0, files: stack[stack.length - 1].files });
  }
  return found;
}

/** The names rules look up across a whole config (Bearer maps, upstreams, TLS client certificates). */
const FILE_WIDE_NAMES = ['map', 'upstream', 'proxy_ssl_certificate'] as const;
export type FileWideName = (typeof FILE_WIDE_NAMES)[number];

// Found in one walk per parse, for all of them: each walk of a 20,000-line config costs milliseconds on every keystroke.
const fileWideIndexes = new WeakMap<readonly NginxFile[], NginxDirective[][]>();

/**
 * findAll(file.directives, name) for each of `files` in turn: a model's files
 * (includes resolved), indexed once per model (and views of it, which share its files).
 */
export function findAllInFiles(files: readonly NginxFile[], name: FileWideName): readonly NginxDirective[] {
  let index = fileWideIndexes.get(files);
  if (!index) {
    index = FILE_WIDE_NAMES.map(() => []);
    for (const file of files) {
      const found = findAllNamed(file.directives, FILE_WIDE_NAMES);
      for (let i = 0; i < found.length; i++) index[i].push(...found[i]);
    }
    fileWideIndexes.set(files, index);
  }
  return index[FILE_WIDE_NAMES.indexOf(name)];
}

/** Directives named `name` directly in `directives` (includes spliced in), not in nested blocks. */
export function findChildren(directives: readonly NginxDirective[], name: string): NginxDirective[] {
  return spliceIncludes(directives).filter((directive) => directive.name === name);
}

/** A block's own directives, with `include`d files spliced in where each include stands (nested blocks are not entered). */
export function spliceIncludes(directives: readonly NginxDirective[]): readonly NginxDirective[] {
  // Most blocks include nothing: they are their own list (no copy per block and keystroke).
  if (!directives.some((directive) => directive.name === 'include' && directive.included)) return directives;
  const found: NginxDirective[] = [];
  const stack: { list: readonly NginxDirective[]; index: number; depth: number }[] = [{ list: directives, index: 0, depth: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index >= top.list.length) {
      stack.pop();
      continue;
    }
    const directive = top.list[top.index++];
    if (directive.name === 'include' && directive.included) {
      if (top.depth >= MAX_INCLUDE_DEPTH) continue;
      for (let i = directive.included.length - 1; i >= 0; i--) stack.push({ list: directive.included[i].directives, index: 0, depth: top.depth + 1 });
    } else {
      found.push(directive);
    }
  }
  return found;
}
