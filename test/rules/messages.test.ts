/**
 * One-line messages: every finding's message fits a Problems panel line (≤ 160
 * characters) and the longer story is in its detail. Checked over every rule
 * fixture, examples/ and, when it is present, the shared real-world corpus.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeBytes } from '../../server/src/core/languageService';
import { inputRules, ruleCatalog } from '../../server/src/core/rules/registry';
import { seededRandom } from '../../server/src/core/secrets';
import type { Finding } from '../../server/src/core/types';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { filesUnder, fixtureOptions, fixturesOf, lintFixture, repoRoot, sharedRoot } from '../helpers/fixtures';

const MESSAGE_LIMIT = 160;
const FIX_TITLE_LIMIT = 80;
/** The input rules say all there is in one sentence ("binary file, not checked"). */
const WITHOUT_DETAIL = new Set(Object.values(inputRules).map((rule) => rule.meta.id));

function problemsOf(where: string, findings: readonly Finding[]): string[] {
  const problems: string[] = [];
  for (const finding of findings) {
    const at = `${where}:${finding.range.start.line + 1} ${finding.ruleId}`;
    if (finding.message.length > MESSAGE_LIMIT) problems.push(`${at}: message of ${finding.message.length} characters: ${finding.message}`);
    if (/\n/.test(finding.message)) problems.push(`${at}: message spans lines`);
    if (!WITHOUT_DETAIL.has(finding.ruleId) && !(finding.detail && finding.detail.length > finding.message.length)) problems.push(`${at}: no detail beyond the message`);
    for (const fix of finding.fixes) {
      if (fix.safety !== 'display-only' && fix.title.length > FIX_TITLE_LIMIT) problems.push(`${at}: fix title of ${fix.title.length} characters: ${fix.title}`);
      // Display-only guidance is not a menu entry: its text must reach the user through the detail.
      if (fix.safety === 'display-only' && !finding.detail?.includes(fix.title)) problems.push(`${at}: display-only guidance missing from the detail`);
    }
  }
  return problems;
}

/** The files a CLI run over `root` would read: not snapshots, not over the size limit. */
function lintableUnder(root: string): string[] {
  return filesUnder(root, (path) => {
    const stat = statSync(path);
    return stat.isFile() && !path.endsWith('.snap') && stat.size < 1024 * 1024;
  });
}

async function problemsUnder(root: string): Promise<{ problems: string[]; findings: number }> {
  const problems: string[] = [];
  let findings = 0;
  const files = createNodeFileAccess();
  for (const path of lintableUnder(root)) {
    const bytes = readFileSync(path);
    const analysis = await analyzeBytes({ uri: path, path, bytes }, { files, random: seededRandom(), ...fixtureOptions(bytes) });
    findings += analysis.findings.length;
    problems.push(...problemsOf(relative(repoRoot, path), analysis.findings));
  }
  return { problems, findings };
}

describe('messages fit one line and the detail tells the rest', () => {
  it('every finding of every rule fixture', async () => {
    const problems: string[] = [];
    let findings = 0;
    for (const meta of ruleCatalog) {
      for (const fixture of fixturesOf(meta.id)) {
        const analysis = await lintFixture(fixture);
        findings += analysis.findings.length;
        problems.push(...problemsOf(`${meta.id}/${fixture.name}`, analysis.findings));
      }
    }
    assert.ok(findings > 100, `only ${findings} findings over the fixtures`);
    assert.deepEqual(problems, []);
  });

  it('every finding in examples/', async () => {
    const { problems, findings } = await problemsUnder(join(repoRoot, 'examples'));
    assert.ok(findings > 0, 'examples/ reproduce incidents, so they have findings');
    assert.deepEqual(problems, []);
  });

  it('every finding in the shared real-world corpus', async (t) => {
    const corpus = join(sharedRoot, 'corpus', 'real-world');
    if (!existsSync(corpus)) {
      t.skip(`${corpus} is absent`);
      return;
    }
    const { problems } = await problemsUnder(corpus);
    assert.deepEqual(problems, []);
  });
});
