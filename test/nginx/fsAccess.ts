/** A real-file-system FileAccess for the nginx tests: paths may be relative to `base`, and come back as given. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { globSegmentRegex } from '../../server/src/core/nginx/glob';
import type { FileAccess, ReadResult } from '../../server/src/core/types';

export function fsAccess(base: string): FileAccess {
  const real = (path: string): string => (isAbsolute(path) ? path : join(base, path));
  return {
    async readFile(path, { maxBytes }): Promise<ReadResult> {
      let stat;
      try {
        stat = statSync(real(path));
      } catch {
        return { ok: false, path, problem: 'missing', message: `[Errno 2] No such file or directory: '${path}'` };
      }
      if (stat.isDirectory()) return { ok: false, path, problem: 'directory', message: `${path} is a directory` };
      if (!stat.isFile()) return { ok: false, path, problem: 'not-regular', message: `${path} is not a regular file` };
      if (stat.size > maxBytes) return { ok: false, path, problem: 'too-large', message: `${path} is larger than ${maxBytes} bytes` };
      return { ok: true, path, bytes: readFileSync(real(path)) };
    },
    async glob(pattern) {
      const segments = pattern.split('/');
      let found = [segments[0] === '' ? '/' : segments[0]];
      for (const segment of segments.slice(1)) {
        const next: string[] = [];
        for (const dir of found) {
          const prefix = dir === '/' ? '/' : `${dir}/`;
          if (!/[*?[]/.test(segment)) {
            next.push(prefix + segment);
            continue;
          }
          const regex = globSegmentRegex(segment);
          let names: string[] = [];
          try {
            names = readdirSync(real(dir));
          } catch {
            names = [];
          }
          for (const name of names) if (!name.startsWith('.') && regex.test(name)) next.push(prefix + name);
        }
        found = next;
      }
      return found.filter((path) => {
        try {
          statSync(real(path));
          return true;
        } catch {
          return false;
        }
      });
    },
  };
}
