/**
 * Writes docs/rules/<id>.md from the rule metadata, docs/log-signatures.md from
 * the log signatures, and the `harborAudit.rules`
 * schema into package.json. `npm run docs`; a test fails when either is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleCatalog } from '../core/rules/registry';
import { renderRuleDoc, rulesSettingSchema } from '../core/ruleDocs';
import { renderLogSignaturesDoc } from '../core/logs/docs';
import { harborYmlSchema } from '../core/keys/schema';
import { installerKeys } from '../core/versions';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const docsDir = join(repoRoot, 'docs', 'rules');
mkdirSync(docsDir, { recursive: true });
for (const meta of ruleCatalog) writeFileSync(join(docsDir, `${meta.id}.md`), renderRuleDoc(meta));
console.log(`wrote ${ruleCatalog.length} rule pages to ${docsDir}`);
writeFileSync(join(repoRoot, 'docs', 'log-signatures.md'), renderLogSignaturesDoc());
console.log('wrote docs/log-signatures.md');

// The harbor.yml schema the extension contributes through yamlValidation (newest installer).
const schemasDir = join(__dirname, '..', '..', '..', '..', 'schemas');
mkdirSync(schemasDir, { recursive: true });
writeFileSync(join(schemasDir, 'harbor-yml.schema.json'), JSON.stringify(harborYmlSchema(installerKeys().newest), null, 2) + '\n');

const manifestPath = join(repoRoot, 'package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.contributes.configuration.properties['harborAudit.rules'] = rulesSettingSchema();
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote the harborAudit.rules schema to ${manifestPath}`);
