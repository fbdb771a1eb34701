import { clip } from './support/message';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { chartName, chartReads } from '../versions';
import { defineRule, type RuleContext } from './rule';
import { findManifest, secretManifests } from './support/secretManifests';
import { omittedDefaultAnchor } from './support/valuesSources';

/** The chart's published default (values.yaml: "Must be a string of 16 chars"). */
export const CHART_DEFAULT_SECRET_KEY = 'not-a-secure-key';

const NEVER_CHANGE =
  'Do not simply change it on an existing install: secretKey is the AES key (CFB, no integrity check) that encrypts the stored replication endpoint, OIDC client and CLI secrets, scanner, P2P and LDAP credentials, so a different key makes them decrypt to garbage silently and replication, OIDC logins and scans start failing.';

const guidance = (title: string) => ({ title, safety: 'display-only' as const, edits: [] });
const SET_VALID = guidance('Set a 16-character key, ideally in a Secret (key "secretKey", no trailing newline) named by existingSecretSecretKey');
const NOTHING_STORED = 'No credential can have been encrypted with a key of this size, so setting a valid 16-character key loses nothing; re-enter any credential that failed to save.';
const NEW_INSTALL = guidance(
  'Before the first install: put a 16-character key in a Secret (key "secretKey", no trailing newline) and name it with existingSecretSecretKey. On an existing install keep the key; rotating it means re-entering every stored credential',
);

/** Chart 1.0-1.9 cannot read the key from a Secret (existingSecretSecretKey came with 1.10): the guidance says so. */
function guidanceFor(target: HelmValuesTarget, fix: typeof NEW_INSTALL): typeof NEW_INSTALL {
  if (chartReads(target, 'existingSecretSecretKey') !== false) return fix;
  return fix === SET_VALID
    ? guidance(`Set secretKey to a 16-character key (${chartName(target)} has no existingSecretSecretKey; it came with chart 1.10)`)
    : guidance(`Before the first install: set secretKey to your own 16-character key (${chartName(target)} has no existingSecretSecretKey). On an existing install keep the key; rotating it means re-entering every stored credential`);
}

export const secretKey = defineRule({
  meta: {
    id: 'secret-key',
    catalogId: 'HB-SECRETKEY',
    title: 'secretKey is the public default, empty, or not 16 characters',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'display-only',
    docs: {
      whatItDoes:
        "Checks the chart's `secretKey`, the key Harbor encrypts stored credentials with: the published default `not-a-secure-key` is a warning. An omitted `secretKey` (and no `existingSecretSecretKey`) is reported only where the chart default is certain to apply: values that are the whole set Helm receives (a wrapper chart's `harbor:` block, a Flux HelmRelease's `values:` without `valuesFrom`, an Argo CD `valuesObject`/`values` without value files or parameters), on the key that holds them. A plain values file is not reported for the omission, since it is often one of several `-f` files and the key may be in another. Otherwise an empty key or one that is not 16 characters is an error (24 or 32 characters, which AES accepts, is a warning). When `existingSecretSecretKey` names a Secret written in the same file, the length of its `secretKey` is checked too (a Secret made with `kubectl create secret --from-file` from a file with a trailing newline holds 17 bytes). harbor.yml and harbor.cfg are not checked: the installer generates the key and keeps it in `<data_volume>/secret/keys/secretkey`.",
      why:
        'Harbor core encrypts replication endpoint passwords, the OIDC client secret, OIDC users\' CLI secrets and refresh tokens, scanner and P2P preheat credentials with this key (AES in CFB mode). With the public default, anyone who reads the database or a backup can decrypt them. An empty or wrong-length key fails every encryption with `crypto/aes: invalid key size`. And because CFB has no integrity check, a key that changes later does not raise an error: stored credentials decrypt to garbage, replication fails with 401 from the remote registry and OIDC logins fail (goharbor/harbor-helm#325: "users need to make sure the `secretKey` isn\'t changed during the whole lifecycle of Harbor").',
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\nexistingSecretAdminPassword: harbor-admin\nsecretKey: not-a-secure-key' },
      fix:
        'There is no automatic fix, only guidance: any edit to an installed Harbor\'s secretKey loses every stored credential. For a new install, create a Secret with a 16-character key named `secretKey` (`kubectl create secret generic harbor-secret-key --from-literal=secretKey=$(openssl rand -hex 8)`) and set `existingSecretSecretKey` to its name. On an existing install with the default key, plan the rotation: change the key, then re-enter the OIDC client secret, LDAP bind password, replication endpoint and scanner credentials, and have OIDC users regenerate their CLI secrets.',
      versions: 'All chart versions. `existingSecretSecretKey` exists since goharbor/harbor-helm 1.10 (Harbor 2.6); for an older chart version the guidance says to set `secretKey` itself.',
      evidence: [
        'goharbor/harbor src/common/utils/encrypt.go:96-160 (AES-CFB), src/lib/encrypt/keyprovider.go',
        'goharbor/harbor-helm values.yaml:385-388, templates/core/core-dpl.yaml:206-215',
        'goharbor/harbor-helm#325, #1633; bitnami/charts#30852; goharbor/harbor#21259',
        'goharbor/harbor make/photon/prepare/utils/cert.py:36-39 ("secret key\'s length has to be 16 chars")',
      ],
    },
  },
  check(context) {
    const manifests = secretManifests(context.yaml);
    for (const target of context.helmValues) checkValues(context, target, manifests);
  },
});

function checkValues(context: RuleContext, target: HelmValuesTarget, manifests: ReturnType<typeof secretManifests>): void {
  const { values } = target;
  // Chart 1.0-1.9 ignore existingSecretSecretKey (unknown-key says so) and use secretKey.
  if (values.isSet('existingSecretSecretKey') && chartReads(target, 'existingSecretSecretKey') !== false) {
    const name = values.literalString('existingSecretSecretKey');
    const stored = name ? findManifest(manifests, name.value)?.keys?.find((key) => key.key === 'secretKey') : undefined;
    if (stored?.plain !== undefined) {
      const length = Buffer.byteLength(stored.plain, 'utf8');
      if (length !== 16) {
        const newline = /\r?\n$/.test(stored.plain) ? ' It ends with a newline, as a Secret made with --from-file from an editor-saved file does.' : '';
        context.report({
          span: stored.entry.valueSpan,
          severity: aesAccepts(length) ? 'warning' : 'error',
          message: `secretKey in Secret "${clip(name!.value, 30)}" is ${length} bytes, not 16: ${shortConsequence(length)}`,
          detail: `The secretKey in Secret "${name!.value}" (existingSecretSecretKey) is ${length} bytes, not 16: ${lengthConsequence(length)}${newline} ${aesAccepts(length) ? NEVER_CHANGE : NOTHING_STORED}`,
          fixes: [guidanceFor(target, aesAccepts(length) ? NEW_INSTALL : SET_VALID)],
        });
      }
    }
    return;
  }
  const entry = values.get('secretKey');
  if (!entry) {
    // Reported only where the chart default is certain to apply, on the key that holds the values.
    // An existingSecretSecretKey this chart version ignores shows where the key was meant to be set: the default surely applies.
    const ignoredSecret = values.isSet('existingSecretSecretKey') ? values.get('existingSecretSecretKey')?.keySpan : undefined;
    const anchor = ignoredSecret ?? omittedDefaultAnchor(context, target);
    if (!anchor) return;
    context.report({
      span: anchor,
      message: `${values.isSet('existingSecretSecretKey') ? 'existingSecretSecretKey is ignored by this chart and secretKey is unset' : 'Neither secretKey nor existingSecretSecretKey is set'}: the published default key lets backups' credentials be decrypted`,
      detail: `${values.isSet('existingSecretSecretKey') ? `C${chartName(target).slice(1)} ignores existingSecretSecretKey and these values set no secretKey` : 'These values set neither secretKey nor existingSecretSecretKey'}, so the chart's published default ${CHART_DEFAULT_SECRET_KEY} encrypts stored credentials: anyone with a database backup can decrypt replication, OIDC and scanner secrets. ${NEVER_CHANGE}`,
      fixes: [guidanceFor(target, NEW_INSTALL)],
    });
    return;
  }
  // Templated or encrypted values are set elsewhere; numbers and null are left to Helm's own errors.
  if (entry.generated || typeof entry.value !== 'string') return;
  const value = entry.value;
  if (value === CHART_DEFAULT_SECRET_KEY) {
    context.report({
      span: entry.valueSpan,
      message: "secretKey is the chart's published default: anyone with a database backup can decrypt stored credentials",
      detail: `secretKey is the chart's published default ${CHART_DEFAULT_SECRET_KEY}: anyone with a database backup can decrypt the stored replication, OIDC and scanner credentials. ${NEVER_CHANGE}`,
      fixes: [guidanceFor(target, NEW_INSTALL)],
    });
    return;
  }
  const length = Buffer.byteLength(value, 'utf8');
  if (length === 16) return;
  context.report({
    span: value === '' ? entry.keySpan : entry.valueSpan,
    severity: aesAccepts(length) ? 'warning' : 'error',
    message:
      value === ''
        ? 'secretKey is empty: saving a replication endpoint, OIDC or a scanner fails with crypto/aes: invalid key size 0'
        : `secretKey is ${length} bytes, not 16: ${shortConsequence(length)}`,
    detail:
      value === ''
        ? `secretKey is empty and no existingSecretSecretKey is set: core gets an empty encryption key, so saving a replication endpoint, OIDC settings or a scanner fails with crypto/aes: invalid key size 0. ${NOTHING_STORED}`
        : `secretKey is ${length} bytes; the chart requires 16 ("Must be a string of 16 chars"): ${lengthConsequence(length)} ${aesAccepts(length) ? NEVER_CHANGE : NOTHING_STORED}`,
    fixes: [guidanceFor(target, aesAccepts(length) ? NEW_INSTALL : SET_VALID)],
  });
}

const aesAccepts = (length: number) => length === 16 || length === 24 || length === 32;

function shortConsequence(length: number): string {
  if (aesAccepts(length)) return 'core works, but the installer rejects it and the chart documents 16';
  return `saving credentials fails with crypto/aes: invalid key size ${length}`;
}

function lengthConsequence(length: number): string {
  if (aesAccepts(length)) return 'AES accepts this length, so core works, but it is outside what the chart documents and the installer rejects it ("secret key\'s length has to be 16 chars").';
  return `AES has no ${length}-byte key, so saving a replication endpoint, OIDC settings or a scanner fails with crypto/aes: invalid key size ${length}.`;
}
