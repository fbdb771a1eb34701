/** Shared by the rule tests: where fixtures live and how to lint one like the CLI does. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { analyzeBytes, analyzeText, type Analysis, type AnalyzeOptions } from '../../server/src/core/languageService';
import { seededRandom } from '../../server/src/core/secrets';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';

export const repoRoot = join(__dirname, '..', '..', '..');
export const fixturesRoot = join(repoRoot, 'test', 'fixtures');
export const sharedRoot = join(repoRoot, '..', 'shared');

export interface Fixture {
  ruleId: string;
  name: string;
  path: string;
  /** `*_fp.*` files must not fire; every other fixture must. */
  mustFire: boolean;
}

/** Top-level files of a rule's folder; subfolders hold files that fixtures include. */
export function fixturesOf(ruleId: string): Fixture[] {
  const dir = join(fixturesRoot, ruleId);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => !name.endsWith('.snap') && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({ ruleId, name, path: join(dir, name), mustFire: !/_fp(\.[^./]+)+$/.test(name) }));
}

/** Optional first line `# harbor-audit-test: {json}` sets analysis options, like gixy's `# Options:`. */
export function fixtureOptions(bytes: Uint8Array): Partial<AnalyzeOptions> {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const match = /^# harbor-audit-test: (\{.*\})/.exec(head);
  return match ? (JSON.parse(match[1]) as Partial<AnalyzeOptions>) : {};
}

export async function lintFixture(fixture: Fixture): Promise<Analysis> {
  const bytes = readFileSync(fixture.path);
  return analyzeBytes(
    { uri: relative(repoRoot, fixture.path), path: fixture.path, bytes },
    // Searched like the CLI run on the rule's folder: a host path is found there by name.
    { files: createNodeFileAccess(), random: seededRandom(), searchRoots: [dirname(fixture.path)], ...fixtureOptions(bytes) },
  );
}

export async function lintText(fixture: Fixture, text: string): Promise<Analysis> {
  const bytes = readFileSync(fixture.path);
  return analyzeText(
    { uri: relative(repoRoot, fixture.path), path: fixture.path, text },
    { files: createNodeFileAccess(), random: seededRandom(), searchRoots: [dirname(fixture.path)], ...fixtureOptions(bytes) },
  );
}
