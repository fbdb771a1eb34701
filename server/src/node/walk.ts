/**
 * The folder walk shared by the CLI and the workspace audit: which files a
 * recursive search opens. Version control and dependency folders, and key,
 * archive and code formats that are never a Harbor config, are passed over.
 */
import { join } from 'node:path';
import { compareText } from '../core/text';
import { asyncFsOps, syncFsOps } from './fsOps';

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const SKIPPED_EXTENSIONS = /\.(png|jpe?g|gif|svg|ico|gz|tgz|zip|tar|bz2|xz|7z|pem|crt|cer|key|p12|pfx|der|jar|so|dll|exe|bin|pdf|woff2?|ttf|md|json|lock|go|js|ts|tf|sql|html|css)$/i;

/** Files found in a walk larger than this are passed over (a file named explicitly is not). */
export const WALK_MAX_BYTES = 2 * 1024 * 1024;

export interface WalkOptions {
  /** `inner` is the path below the walked folder, with `/`. */
  skip?: (absolute: string, inner: string) => boolean;
  /** A folder that cannot be listed; the walk goes on. */
  onError?: (inner: string, code: string | undefined) => void;
  /** Checked between folders: stop early. */
  cancelled?: () => boolean;
  /** Synchronous listings (the CLI: see fsOps.ts). */
  synchronous?: boolean;
}

/** Paths below `folder` (with `/`, sorted) of the files a recursive search would check. */
export async function walkFolder(folder: string, options: WalkOptions = {}): Promise<string[]> {
  const fs = options.synchronous ? syncFsOps : asyncFsOps;
  const found: string[] = [];
  const pending = [''];
  while (pending.length > 0 && !options.cancelled?.()) {
    const sub = pending.pop()!;
    let entries;
    try {
      entries = await fs.readdirEntries(join(folder, sub));
    } catch (error) {
      options.onError?.(sub, (error as NodeJS.ErrnoException).code);
      continue;
    }
    entries.sort((a, b) => compareText(a.name, b.name));
    for (const entry of entries.reverse()) {
      const inner = sub ? `${sub}/${entry.name}` : entry.name;
      if (options.skip?.(join(folder, inner), inner)) continue;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) pending.push(inner);
      } else if (entry.isFile() && !SKIPPED_EXTENSIONS.test(entry.name)) {
        found.push(inner);
      }
    }
  }
  return found.sort();
}
