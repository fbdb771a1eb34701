/** Text edits on YAML that keep the file's indentation and line breaks. */
import type { LineIndex } from '../text';
import type { TextEdit } from '../types';
import type { YamlEntry, YamlMapView } from './yamlModel';

/** Replaces a whole `key: value` entry with other `key: value` lines at the same indentation. */
export function replaceEntry(lines: LineIndex, entry: YamlEntry, replacement: readonly string[]): TextEdit {
  const line = lines.positionAt(entry.keySpan.start).line;
  const indent = lines.indentOf(line);
  const end = Math.max(entry.valueSpan.end, entry.keySpan.end);
  const endLine = lines.positionAt(end).line;
  return {
    span: { start: entry.keySpan.start, end: lines.lineEnd(endLine) },
    newText: replacement.join(lines.eol + indent),
  };
}

/** Replaces a scalar value, quoting it so YAML reads it back as the same string. */
export function replaceScalar(entry: YamlEntry, value: string): TextEdit {
  // `key:` with no value: the space keeps `key: "v"` a mapping; a bare `key` also needs its colon.
  if (entry.valueSpan.start === entry.valueSpan.end) return { span: entry.valueSpan, newText: `${entry.hasColon ? '' : ':'} ${JSON.stringify(value)}` };
  return { span: entry.valueSpan, newText: JSON.stringify(value) };
}

/** Inserts entries as the first keys of a mapping, at its indentation. */
export function insertFirstInMap(lines: LineIndex, map: YamlMapView, entries: readonly string[]): TextEdit {
  const first = map.entries()[0];
  const at = first ? lines.positionAt(first.keySpan.start) : lines.positionAt(map.span.start);
  const indent = lines.indentOf(at.line);
  const start = lines.lineStart(at.line);
  return { span: { start, end: start }, newText: entries.map((entry) => indent + entry + lines.eol).join('') };
}
