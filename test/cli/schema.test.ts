/** `harbor-audit schema`: JSON Schema of a version's keys, and the harbor.yml schema the extension contributes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { harborYmlSchema } from '../../server/src/core/keys/schema';
import { installerKeys } from '../../server/src/core/versions';
import { repoRoot } from '../helpers/fixtures';

const cli = join(repoRoot, 'dist', 'cli.js');
type Schema = { $schema?: string; properties: Record<string, Schema>; enum?: unknown[]; additionalProperties?: boolean; default?: unknown };

function schema(args: string[]): { code: number | null; json?: Schema; stderr: string } {
  const result = spawnSync(process.execPath, [cli, 'schema', ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: result.status, json: result.status === 0 ? (JSON.parse(result.stdout) as Schema) : undefined, stderr: result.stderr };
}

describe('harbor-audit schema', () => {
  it('prints the values schema of a chart version (draft 2020-12)', () => {
    const old = schema(['values', '--chart-version', '1.4.0']);
    assert.equal(old.code, 0);
    assert.equal(old.json!.$schema, 'https://json-schema.org/draft/2020-12/schema');
    const tls = old.json!.properties.expose.properties.tls;
    assert.ok(tls.properties.secretName && !tls.properties.certSource);
    assert.equal(tls.additionalProperties, false);
    const newest = schema(['values']).json!;
    assert.deepEqual(newest.properties.expose.properties.tls.properties.certSource.enum, ['auto', 'secret', 'none', null]);
    // Free-form maps accept anything.
    assert.equal(newest.properties.expose.properties.ingress.properties.annotations.properties, undefined);
  });

  it('prints the harbor.yml schema of an installer version, with what prepare validates', () => {
    const result = schema(['harbor-yml', '--version', '2.5']);
    assert.equal(result.code, 0);
    assert.deepEqual(result.json!.properties.log.properties.level.enum, ['debug', 'info', 'warning', 'error', 'fatal', null]);
    assert.equal(result.json!.properties.http.properties.port.default, 80);
  });

  it('refuses a version it does not know, with exit code 2', () => {
    const result = schema(['values', '--chart-version', '9.9.9']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no goharbor chart version matches "9\.9\.9"/);
    assert.equal(schema(['harbor-yml', '--version', '1.7.0']).code, 2);
  });

  it('contributes the newest harbor.yml schema for harbor.yml/harbor.yaml only, in step with the model (npm run docs)', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { yamlValidation: { fileMatch: string[]; url: string }[] } };
    assert.deepEqual(manifest.contributes.yamlValidation, [{ fileMatch: ['harbor.yml', 'harbor.yaml'], url: './schemas/harbor-yml.schema.json' }]);
    const shipped = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'harbor-yml.schema.json'), 'utf8'));
    const yml = installerKeys().versions[installerKeys().versions.length - 1];
    assert.deepEqual(shipped, harborYmlSchema(yml));
  });
});
