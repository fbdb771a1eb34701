/**
 * Every rule against its fixture folder (gixy's convention): each fixture must
 * fire and each `*_fp` fixture must not. Firing fixtures are compared with a
 * snapshot of the rule's findings and of every fix applied (Biome's convention),
 * and every fix is applied and the result linted again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ruleCatalog } from '../../server/src/core/rules/registry';
import { applyEdits } from '../../server/src/core/text';
import type { Finding } from '../../server/src/core/types';
import { fixturesOf, lintFixture, lintText, repoRoot, type Fixture } from '../helpers/fixtures';
import { assertSnapshot, lineDiff } from '../helpers/snapshot';

describe('every rule has fixtures that fire and fixtures that must not', () => {
  for (const meta of ruleCatalog) {
    it(meta.id, () => {
      const fixtures = fixturesOf(meta.id);
      assert.ok(fixtures.some((f) => f.mustFire), `test/fixtures/${meta.id}/ has no fixture that must fire`);
      assert.ok(fixtures.some((f) => !f.mustFire), `test/fixtures/${meta.id}/ has no *_fp fixture`);
    });
  }
});

/** Messages may name resolved absolute paths; snapshots must not depend on where the checkout lives. */
const portable = (text: string) => text.split(repoRoot).join('<repo>');

function describeFinding(finding: Finding): string {
  const { start, end } = finding.range;
  const lines = [`${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1} ${finding.severity} ${finding.ruleId}${finding.catalogId ? ` (${finding.catalogId})` : ''}`, `  ${portable(finding.message)}`];
  for (const related of finding.related) lines.push(`  related ${related.file.replace(/^.*\/test\/fixtures\//, '')}:${related.range.start.line + 1}: ${related.message}`);
  if (finding.detail) lines.push(...portable(finding.detail).split('\n').map((line) => (line ? `  | ${line}` : '  |')));
  return lines.join('\n');
}

async function snapshotOf(fixture: Fixture, findings: Finding[], text: string): Promise<string> {
  const parts = [`# ${fixture.ruleId}/${fixture.name}`, ''];
  for (const finding of findings) {
    parts.push(describeFinding(finding));
    for (const fix of finding.fixes) {
      parts.push(`  fix (${fix.safety}): ${fix.title}`);
      if (fix.edits.length > 0) parts.push(lineDiff(text, applyEdits(text, fix.edits)));
    }
    parts.push('');
  }
  return parts.join('\n');
}

// RULES=id,id runs only those rules' fixtures (and UPDATE_SNAPSHOTS then rewrites only theirs).
const selected = process.env.RULES?.split(',').map((id) => id.trim()).filter(Boolean);

for (const meta of ruleCatalog.filter((m) => !selected || selected.includes(m.id) || (m.catalogId !== null && selected.includes(m.catalogId)))) {
  describe(`rule ${meta.id}`, () => {
    for (const fixture of fixturesOf(meta.id)) {
      it(`${fixture.name} ${fixture.mustFire ? 'fires' : 'does not fire'}`, async () => {
        const analysis = await lintFixture(fixture);
        assert.deepEqual(analysis.internalErrors, []);
        const own = analysis.findings.filter((f) => f.ruleId === meta.id);
        if (!fixture.mustFire) {
          assert.deepEqual(own.map(describeFinding), [], `${fixture.name} must not fire ${meta.id}`);
          return;
        }
        assert.ok(own.length > 0, `${fixture.name} must fire ${meta.id}; it was recognised as ${analysis.recognition.kind} (${analysis.recognition.reason})`);
        const text = Buffer.from(readFileSync(fixture.path)).toString('utf8');
        assertSnapshot(`${fixture.path}.snap`, await snapshotOf(fixture, own, text));
        for (const finding of own) {
          for (const fix of finding.fixes) {
            if (fix.safety === 'display-only') {
              assert.equal(fix.edits.length, 0, 'display-only fixes carry no edits');
              continue;
            }
            assert.ok(fix.edits.length > 0, `fix "${fix.title}" has no edits`);
            const fixed = applyEdits(text, fix.edits);
            const after = await lintText(fixture, fixed);
            assert.deepEqual(after.internalErrors, []);
            const remaining = after.findings.filter((f) => f.ruleId === meta.id);
            assert.ok(remaining.length < own.length, `after "${fix.title}" ${meta.id} still reports ${remaining.length} of ${own.length}:\n${remaining.map(describeFinding).join('\n')}`);
            const introduced = after.findings.filter((f) => f.ruleId === 'yaml-syntax' || f.ruleId === 'nginx-syntax');
            assert.deepEqual(introduced.map(describeFinding), [], `"${fix.title}" broke the syntax`);
          }
        }
      });
    }
  });
}
