/** Shared by the rule tests: where fixtures live and how to lint one like the CLI does. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
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
  /** The folder searched for files the fixture names or is included by (the CLI's argument). */
  root: string;
}

const isFixtureFile = (path: string) => !path.endsWith('.snap') && statSync(path).isFile();
const mustFire = (name: string) => !/_fp(\.[^./]+)+$/.test(name);

/**
 * Top-level files of a rule's folder; subfolders hold files that fixtures
 * include. A subfolder named `*.workspace` is a small workspace of its own
 * (a conf.d file beside the nginx.conf that includes it): its fixtures are the
 * files named `*.fixture.*` at any depth, searched within that folder only.
 */
export function fixturesOf(ruleId: string): Fixture[] {
  const dir = join(fixturesRoot, ruleId);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const fixtures: Fixture[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (isFixtureFile(path)) fixtures.push({ ruleId, name, path, mustFire: mustFire(name), root: dir });
    else if (name.endsWith('.workspace') && statSync(path).isDirectory()) {
      for (const inner of workspaceFixtures(path)) fixtures.push({ ruleId, name: relative(dir, inner), path: inner, mustFire: mustFire(basename(inner)), root: path });
    }
  }
  return fixtures;
}

function workspaceFixtures(workspace: string): string[] {
  return filesUnder(workspace, (path) => /\.fixture\./.test(basename(path)) && isFixtureFile(path));
}

/** Every file below `root` (at any depth) that `keep` accepts, sorted. */
export function filesUnder(root: string, keep: (path: string) => boolean = () => true): string[] {
  const found: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) pending.push(path);
      else if (keep(path)) found.push(path);
    }
  }
  return found.sort();
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
    { files: createNodeFileAccess(), random: seededRandom(), searchRoots: [fixture.root], ...fixtureOptions(bytes) },
  );
}

export async function lintText(fixture: Fixture, text: string): Promise<Analysis> {
  const bytes = readFileSync(fixture.path);
  return analyzeText(
    { uri: relative(repoRoot, fixture.path), path: fixture.path, text },
    { files: createNodeFileAccess(), random: seededRandom(), searchRoots: [fixture.root], ...fixtureOptions(bytes) },
  );
}
