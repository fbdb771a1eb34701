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

/**
 * A URL path cut to at most `max` characters on segment boundaries, so the
 * resource and the operation stay readable: `/api/v2.0/projects/…/tags/$tag`.
 * Falls back to `clip` when even the first and last segments do not fit.
 */
export function clipPath(path: string, max = 44): string {
  if (path.length <= max) return path;
  const segments = path.split('/');
  // Grow the kept head and tail alternately while they fit: the head names the API, the tail the operation.
  let head = 1;
  let tail = 1;
  const fits = (h: number, t: number) => segments.slice(0, h).join('/').length + 3 + segments.slice(-t).join('/').length <= max;
  if (segments.length < 3 || !fits(head, tail)) return clip(path, max);
  for (let grew = true; grew && head + tail < segments.length - 1; ) {
    grew = false;
    if (head + tail < segments.length - 1 && fits(head + 1, tail)) (head += 1), (grew = true);
    if (head + tail < segments.length - 1 && fits(head, tail + 1)) (tail += 1), (grew = true);
  }
  return `${segments.slice(0, head).join('/')}/…/${segments.slice(-tail).join('/')}`;
}
