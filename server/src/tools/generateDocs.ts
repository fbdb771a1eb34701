/** Writes docs/rules/<id>.md from the rule metadata. `npm run docs`; a test fails when they are stale. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleCatalog } from '../core/rules/registry';
import { renderRuleDoc } from '../core/ruleDocs';

const docsDir = join(__dirname, '..', '..', '..', '..', 'docs', 'rules');
mkdirSync(docsDir, { recursive: true });
for (const meta of ruleCatalog) writeFileSync(join(docsDir, `${meta.id}.md`), renderRuleDoc(meta));
console.log(`wrote ${ruleCatalog.length} rule pages to ${docsDir}`);
