/**
 * The CLI over the research corpus (../shared, absent on a bare checkout):
 * it finishes, never errs internally, and says nothing about files that are
 * not Harbor configs (playbooks, Bitnami values, env files, nginx test suites).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, sharedRoot } from '../helpers/fixtures';

const corpus = join(sharedRoot, 'corpus');

function audit(path: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), '--format', 'json', '--allow-empty', path], { encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stderr: result.stderr, findings: (JSON.parse(result.stdout || '{"findings":[]}') as { findings: { file: string; ruleId: string }[] }).findings };
}

// Files in the corpus that mention Harbor but are not Harbor configs (checked by hand).
const NOT_HARBOR = [
  'BrandonTsai__harbor-ha/ansible/roles/harbor/defaults/main.yml',
  'Pezl05__sh-script/harbor Installer/harbor.conf',
  'alkshmir__homelab/harbor/values.yaml',
  'sdorsett__terraform-openstack-harbor/ansible/harbor.yml',
  'shonge__deploy-playbook/HAharbor-playbook/group_vars/harbor',
  'unarmedpuppy__homelab-ai/apps/harbor/.env.example',
  'kaniapm__ansible_harbor/roles/harbor/defaults/main.yml',
  'derhornspieler__harvester-helm-harbor-sync/nginx/includes/proxy-defaults.conf',
  'FAUSheppy__atlantis-fleet-ops/harbor/fleet.yaml',
];

describe('the CLI over the shared corpus', { timeout: 180000 }, () => {
  it('finishes over real-world Harbor repositories and reports nothing on their non-Harbor files', (t) => {
    if (!existsSync(corpus)) return t.skip('the shared corpus (../shared) is not present');
    const { code, stderr, findings } = audit(join(corpus, 'real-world'));
    assert.ok(code === 0 || code === 1, `exit ${code}: ${stderr}`);
    assert.equal(stderr, '');
    const files = new Set(findings.map((f) => f.file.slice(join(corpus, 'real-world').length + 1)));
    for (const file of NOT_HARBOR) {
      assert.ok(existsSync(join(corpus, 'real-world', file)), `corpus file moved: ${file}`);
      assert.ok(!files.has(file), `${file} is not a Harbor config but got findings`);
    }
    assert.ok(findings.length > 0, 'the corpus does hold Harbor configs with problems');
  });

  it('reports nothing on the nginx parser and linter test suites, which are not Harbor configs', (t) => {
    if (!existsSync(corpus)) return t.skip('the shared corpus (../shared) is not present');
    const { code, stderr, findings } = audit(join(corpus, 'peer-suites'));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.deepEqual(findings, []);
  });
});
