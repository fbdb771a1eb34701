/**
 * The .vsix size (issue 11 item 12): the package file if one was built,
 * otherwise estimated from the package's file list (`vsce ls`, the files the
 * .vscodeignore whitelist lets in), with the two bundles built minified as
 * `vscode:prepublish` builds them, each file deflated as a zip entry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

export interface PackageSize {
  bytes: number;
  files: number;
  how: string;
}

/** A zip's local and central headers per entry (name twice, 30 + 46 bytes of fields). */
const zipOverhead = (name: string) => 76 + 2 * Buffer.byteLength(name);

export async function packageSize(repoRoot: string): Promise<PackageSize | undefined> {
  const built = readdirSync(repoRoot).filter((name) => name.endsWith('.vsix'));
  if (built.length > 0) {
    const newest = built.map((name) => join(repoRoot, name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    return { bytes: statSync(newest).size, files: 0, how: `${newest.slice(repoRoot.length + 1)} as built` };
  }
  const listed = spawnSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  if (listed.status !== 0) return undefined;
  const files = listed.stdout.split('\n').map((line) => line.trim()).filter((line) => line && existsSync(join(repoRoot, line)));
  // The bundles as `vscode:prepublish` makes them (minified, no source map), in memory.
  const esbuild = await import('esbuild');
  const minified = new Map<string, Uint8Array>();
  for (const [entry, out] of [['client/src/extension.ts', 'dist/client.js'], ['server/src/cli/main.ts', 'dist/cli.js']] as const) {
    const result = await esbuild.build({ entryPoints: [join(repoRoot, entry)], bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, write: false, external: ['vscode'], logLevel: 'silent' });
    minified.set(out, result.outputFiles[0].contents);
  }
  let bytes = 22; // end of central directory
  for (const file of files) {
    const content = minified.get(file) ?? readFileSync(join(repoRoot, file));
    bytes += deflateRawSync(content, { level: 9 }).length + zipOverhead(`extension/${file}`);
  }
  // vsce adds [Content_Types].xml and extension.vsixmanifest (about 3 KB together).
  bytes += 3 * 1024;
  return { bytes, files: files.length, how: `estimated from the ${files.length} files of \`vsce ls\`, bundles minified, deflated` };
}
