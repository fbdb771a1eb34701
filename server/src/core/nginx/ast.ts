/**
 * The nginx syntax tree shared by the parser, the include resolver, the
 * crossplane exporter and the rules. It keeps exact spans (half-open UTF-16
 * offsets) so findings and fixes can point at the very token they are about,
 * and it keeps the crossplane line numbers so the CLI can emit crossplane JSON.
 */
import type { Span } from '../types';

export interface NginxArg {
  /** The argument as nginx sees it: quotes removed, `\"` unescaped (crossplane's rules). */
  value: string;
  /** Covers the quotes of a quoted argument, and the braces of a `*_by_lua_block` body. */
  span: Span;
  quote: '"' | "'" | null;
  /** Contains template syntax (`{{ ... }}`, a `{% %}` tag inside the token). */
  templated: boolean;
}

export interface NginxDirective {
  name: string;
  nameSpan: Span;
  args: NginxArg[];
  /** From the name's start to the end of its `;`, or of the `}` closing its block. */
  span: Span;
  /** 1-based line of the name, as crossplane reports it. */
  line: number;
  /** Present only for block directives (`server { ... }`). */
  block?: NginxDirective[];
  /** `{` .. `}` inclusive; to the end of the text when the block is not closed. */
  blockSpan?: Span;
  /** Path of the file it was parsed from. */
  file: string;
  /** Came from or contains template syntax: rules skip it. */
  templated: boolean;
  /** For `include`: the files it pulls in, in glob-sorted order (set by resolveIncludes). */
  included?: NginxFile[];
}

export interface NginxComment {
  /** The text after `#`, without the line break. */
  text: string;
  /** From the `#` to the end of the line (line break excluded). */
  span: Span;
  line: number;
}

export interface NginxParseError {
  message: string;
  span: Span;
  line: number;
  file: string;
}

export interface NginxFile {
  path: string;
  text: string;
  directives: NginxDirective[];
  /** Every `#` comment of the file in text order (not those inside Lua blocks or strings). */
  comments: NginxComment[];
  errors: NginxParseError[];
}
