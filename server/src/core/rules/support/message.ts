/**
 * Helpers for one-line finding messages: a message names the cause as written
 * in the file, but a user's name or path can be arbitrarily long, and the
 * whole message must stay readable in a Problems panel (≤ 160 characters).
 */

/** `text` cut to at most `max` characters, with an ellipsis in the middle so both ends stay recognisable. */
export function clip(text: string, max = 40): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) * 0.6);
  const tail = max - 1 - head;
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(text.length - tail) : ''}`;
}

/** "a", "a and b", "a, b and 2 more": a list named in a message without growing with the input. */
export function listShort(items: readonly string[], shown = 2): string {
  if (items.length <= shown + 1) return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}
