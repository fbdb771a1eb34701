import { clip } from './support/message';
import type { TextEdit } from '../types';
import { defineRule } from './rule';
import { chartSecretReferences, findManifest, secretManifests } from './support/secretManifests';

const normalize = (key: string) => key.toLowerCase().replace(/[-_.]/g, '');

export const existingSecretKeys = defineRule({
  meta: {
    id: 'existing-secret-keys',
    catalogId: 'HB-EXISTING-SECRET-KEYS',
    title: 'A Secret named by an existingSecret value lacks the key the chart reads',
    appliesTo: ['helm-values'],
    defaultSeverity: 'error',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        'When chart values name a Secret (`existingSecretSecretKey`, `existingSecretAdminPassword`, `core.existingSecret`, `core.secretName`, `core.existingXsrfSecret`, `jobservice.existingSecret`, `registry.existingSecret`, `registry.credentials.existingSecret`, and `database.external.existingSecret` / `redis.external.existingSecret` when that service is external) and the same file also holds that Secret (a `Secret`, a `SealedSecret`, or an `ExternalSecret` with a plain `data` list), checks that it has the exact key names the chart reads: `secretKey`; `HARBOR_ADMIN_PASSWORD` (or `existingSecretAdminPasswordKey`); `secret`; `tls.key`; `CSRF_KEY`, `JOBSERVICE_SECRET`, `REGISTRY_HTTP_SECRET` (or their `*Key` overrides); `REGISTRY_PASSWD` and `REGISTRY_HTPASSWD`; `password`; `REDIS_PASSWORD`. Without a visible manifest nothing is reported; hovering the value lists the keys.',
      why:
        'The chart mounts these keys by name. A missing key keeps the pod from starting: the kubelet reports `CreateContainerConfigError: couldn\'t find key secret in Secret harbor/harbor-core` for environment variables, or `references non-existent secret key: secretKey` for mounted files, and core, jobservice or the registry never become ready.',
      example: {
        language: 'yaml',
        code: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: harbor-core\nstringData:\n  CORE_SECRET: 0123456789abcdef\n---\nexternalURL: https://harbor.example.com\ncore:\n  existingSecret: harbor-core',
      },
      fix: 'Rename the key in the Secret to the name the chart reads, or, where the chart has a `*Key` value (`existingSecretAdminPasswordKey`, `core.existingXsrfSecretKey`, `jobservice.existingSecretKey`, `registry.existingSecretKey`), set that to the key you have. When exactly one key in the Secret differs only in case or punctuation, the unsafe quick fix renames it (unsafe: anything else reading that key would lose it).',
      versions: 'goharbor/harbor-helm HEAD key names; `core.existingSecret`, `core.existingXsrfSecret`, the `*Key` overrides and `registry.credentials.existingSecret` appeared between chart 1.7 and 1.12.',
      evidence: ['goharbor/harbor-helm values.yaml:293-294, 387-388, 698, 805-807, 898-900, 906, 1120; templates/core/core-dpl.yaml:107-157, 206-222; templates/registry/registry-dpl.yaml:360-369'],
    },
  },
  check(context) {
    const manifests = secretManifests(context.yaml);
    if (manifests.length === 0) return;
    for (const { values } of context.helmValues) {
      for (const reference of chartSecretReferences(values)) {
        if (!reference.active) continue;
        const name = values.literalString(reference.path);
        if (!name) continue;
        const manifest = findManifest(manifests, name.value);
        if (!manifest?.keys) continue;
        const keys = manifest.keys;
        for (const wanted of reference.keys) {
          if (keys.some((key) => key.key === wanted)) continue;
          const similar = keys.filter((key) => normalize(key.key) === normalize(wanted));
          const edits: TextEdit[] = similar.length === 1 ? [{ span: similar[0].entry.keySpan, newText: wanted }] : [];
          const override = reference.keyPath ? ` (or set ${reference.keyPath} to the key it has)` : '';
          context.report({
            span: name.entry.valueSpan,
            message: `${manifest.kind} "${clip(name.value)}" has no key "${wanted}"${similar.length === 1 ? ` (it has "${clip(similar[0].key, 30)}")` : ''}: the pod fails with CreateContainerConfigError`,
            detail: `${manifest.kind} "${name.value}" (${reference.path}, ${reference.what}) has no key "${wanted}"${similar.length === 1 ? ` but has "${similar[0].key}"` : ''}: the pod that reads it does not start (CreateContainerConfigError: couldn't find key ${wanted}, or a volume that references a non-existent secret key). Name the key exactly "${wanted}"${override}.`,
            related: [{ span: manifest.nameSpan, message: `${manifest.kind} "${name.value}" is defined here` }],
            fixes: edits.length ? [{ title: `Rename key "${clip(similar[0].key, 25)}" to "${wanted}"`, note: `In ${manifest.kind} "${name.value}".`, safety: 'unsafe', edits }] : [],
          });
        }
      }
    }
  },
});
