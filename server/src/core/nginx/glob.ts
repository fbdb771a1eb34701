/** nginx's include globs (glob(3) without `**`), one path segment at a time: shared by the core and the node file access. */

export function hasGlobMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** A regular expression for one glob segment: `*`, `?` and `[...]` (with `!` negation) within the segment. */
export function globSegmentRegex(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${source}$`);
  } catch {
    return /(?!)/; // an unusable class such as `[z-a]`: matches nothing, as glob(3) would
  }
}
