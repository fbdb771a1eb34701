/** Writes docs/rules/<id>.md from the rule metadata. `npm run docs`; a test fails when they are stale. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleCatalog } from '../core/rules/registry';
import { renderRuleDoc } from '../core/ruleDocs';
import { harborYmlSchema } from '../core/keys/schema';
import { installerKeys } from '../core/versions';

const docsDir = join(__dirname, '..', '..', '..', '..', 'docs', 'rules');
mkdirSync(docsDir, { recursive: true });
for (const meta of ruleCatalog) writeFileSync(join(docsDir, `${meta.id}.md`), renderRuleDoc(meta));
console.log(`wrote ${ruleCatalog.length} rule pages to ${docsDir}`);

// The harbor.yml schema the extension contributes through yamlValidation (newest installer).
const schemasDir = join(__dirname, '..', '..', '..', '..', 'schemas');
mkdirSync(schemasDir, { recursive: true });
writeFileSync(join(schemasDir, 'harbor-yml.schema.json'), JSON.stringify(harborYmlSchema(installerKeys().newest), null, 2) + '\n');
