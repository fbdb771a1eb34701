/**
 * Public types of the analysis core. The core is pure: it never imports the LSP
 * runtime or `fs`; file access arrives through {@link FileAccess}.
 */

/** Half-open span of UTF-16 offsets into a document's text (JS string indices). */
export interface Span {
  start: number;
  end: number;
}

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column, as in LSP. */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

/**
 * How much a fix can be trusted (Ruff's Applicability):
 * - safe: keeps the meaning the user intended; may run in "fix all".
 * - unsafe: changes behaviour on purpose (for example rotates a secret); only on request.
 * - display-only: guidance with no edit, because any automatic change could lose data.
 */
export type FixSafety = 'safe' | 'unsafe' | 'display-only';

export interface TextEdit {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  safety: FixSafety;
  /** Edits to the analysed document. Empty for display-only fixes. */
  edits: TextEdit[];
}

export interface RelatedLocation {
  /** The file as the caller named it (the document's uri, or an included file's path). */
  file: string;
  range: Range;
  message: string;
}

export interface Finding {
  ruleId: string;
  /** The `HB-*` id in research/harbor-rules.md; null for the tool's own input rules. */
  catalogId: string | null;
  severity: Severity;
  /** One sentence (≤ 160 characters): the cause, then the symptom the user sees. */
  message: string;
  /** Markdown: the whole story behind the message (hover, `--verbose`, JSON `detail`, SARIF markdown). */
  detail?: string;
  span: Span;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
}

/**
 * A key or certificate path a config names that could not be read on this
 * machine (often a path on the Harbor or proxy host). Not a finding: it shows in
 * the hover of the path and in the CLI's summary line.
 */
export interface UnreadablePath {
  /** What the config names there: a key or certificate (the default), or an nginx include. */
  kind?: 'include';
  /** As written in the config. */
  written: string;
  /** Where it was looked for here (after `paths:` mappings). */
  path: string;
  /** Why it could not be read, as a clause: "the file does not exist". */
  reason: string;
  span: Span;
  range: Range;
}

/** What a document was recognised as, by content. */
export type FileKind =
  | 'helm-values'
  | 'harbor-yml'
  /** A Kubernetes `kubernetes.io/tls` Secret: only the key and certificate checks read it. */
  | 'kubernetes-tls-secret'
  | 'harbor-cfg'
  | 'nginx'
  /** A script, CI pipeline, Ansible task or program that calls Harbor's API or logs in with a robot account. */
  | 'harbor-client'
  | 'not-harbor';

export interface Recognition {
  kind: FileKind;
  /** Why: shown in the language status item and in `--format text` verbose output. */
  reason: string;
  /** Finer grain where it matters: nginx role, values flavour. */
  detail?: string;
}

/** Result of reading a file through the injected {@link FileAccess}. */
export type ReadResult =
  | { ok: true; path: string; bytes: Uint8Array }
  | { ok: false; path: string; problem: ReadProblem; message: string };

export type ReadProblem =
  | 'missing'
  | 'directory'
  | 'not-regular'
  | 'too-large'
  | 'unreadable'
  | 'outside-workspace'
  | 'unsupported';

/**
 * File access injected into the core. Implementations must never block on a
 * FIFO or device and must refuse files over `maxBytes` without reading them.
 */
export interface FileAccess {
  readFile(path: string, options: { maxBytes: number }): Promise<ReadResult>;
  /** Absolute paths matching a glob pattern (only `*`, `?` and `[...]` in the last segments, like nginx's glob). */
  glob(pattern: string): Promise<string[]>;
  /** The entries of a folder, unsorted; undefined when it cannot be listed (missing, not a folder, outside an untrusted workspace). */
  listDirectory?(path: string): Promise<DirectoryEntry[] | undefined>;
  /** Regular files named `name` anywhere under `roots` (absolute paths, bounded); absent where nothing can be searched. */
  findByName?(name: string, roots: readonly string[]): Promise<string[]>;
}

export interface DirectoryEntry {
  name: string;
  /** What the entry is itself: a symlink is listed as one, not as what it points to. */
  kind: 'file' | 'directory' | 'symlink' | 'other';
}

/** A FileAccess that has no files: for documents without a file system (virtual workspaces, tests). */
export const noFileAccess: FileAccess = {
  async readFile(path) {
    return { ok: false, path, problem: 'unsupported', message: 'no file system is available' };
  },
  async glob() {
    return [];
  },
  async listDirectory() {
    return undefined;
  },
};
