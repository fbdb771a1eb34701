/** Rule docs are generated from rule metadata; this keeps the committed pages in step with it. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ruleCatalog } from '../server/src/core/rules/registry';
import { renderRuleDoc, rulesSettingSchema } from '../server/src/core/ruleDocs';
import { logSignatures, renderLogSignaturesDoc } from '../server/src/core/logs/docs';
import { SIGNATURES } from '../server/src/core/logs/signatures';
import { repoRoot } from './helpers/fixtures';

const docsDir = join(repoRoot, 'docs', 'rules');

describe('docs/rules', () => {
  for (const meta of ruleCatalog) {
    it(`${meta.id}.md is up to date (npm run docs)`, () => {
      assert.equal(readFileSync(join(docsDir, `${meta.id}.md`), 'utf8'), renderRuleDoc(meta));
    });
  }

  it('the README lists every rule', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    for (const meta of ruleCatalog) assert.ok(readme.includes(`[\`${meta.id}\`](docs/rules/${meta.id}.md)`), `README.md does not list ${meta.id}`);
  });

  it('package.json suggests every rule id and catalog id in harborAudit.rules (npm run docs)', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const setting = manifest.contributes.configuration.properties['harborAudit.rules'] as { properties: Record<string, { description: string }>; propertyNames: { enum: string[] } };
    assert.deepEqual(setting, rulesSettingSchema());
    for (const meta of ruleCatalog) {
      assert.ok(setting.properties[meta.id].description.startsWith(meta.title), meta.id);
      if (meta.catalogId) assert.ok(setting.propertyNames.enum.includes(meta.catalogId));
    }
    for (const signature of SIGNATURES) assert.ok(setting.properties[signature.id].description.endsWith(`og line: ${signature.title}`), signature.id);
    assert.match(setting.properties['csrf-key-length'].description, /^core\.xsrfKey .*; and the log line: /, 'a rule and a signature that share an id share the setting');
  });

  it('the user-facing pages carry no internal rows (fixture paths)', () => {
    for (const meta of ruleCatalog) assert.doesNotMatch(renderRuleDoc(meta), /test\/fixtures|Fixtures/);
  });

  it('has no page for a rule that does not exist', () => {
    const pages = readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => name.slice(0, -3));
    assert.deepEqual(pages.sort(), ruleCatalog.map((meta) => meta.id).sort());
  });

  it('every rule has unique ids, a title, docs sections and a catalog id that exists in the research catalog form', () => {
    const ids = new Set<string>();
    for (const meta of ruleCatalog) {
      assert.ok(!ids.has(meta.id), `duplicate id ${meta.id}`);
      ids.add(meta.id);
      assert.match(meta.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      if (meta.catalogId !== null) assert.match(meta.catalogId, /^HB-[A-Z0-9-]+$/);
      for (const section of [meta.title, meta.docs.whatItDoes, meta.docs.why, meta.docs.fix, meta.docs.example.code]) assert.ok(section.trim().length > 0);
    }
  });

  it('docs/log-signatures.md is up to date (npm run docs), with an anchor per signature and links to existing rule pages', () => {
    const page = readFileSync(join(repoRoot, 'docs', 'log-signatures.md'), 'utf8');
    assert.equal(page, renderLogSignaturesDoc());
    for (const signature of logSignatures()) assert.ok(page.includes(`<a id="${signature.id}"></a>`), signature.id);
    for (const [, rule] of page.matchAll(/\]\(rules\/([a-z0-9-]+)\.md\)/g)) assert.ok(ruleCatalog.some((meta) => meta.id === rule), rule);
  });
});
