/** Every rule, one line each. The id is the settings key, the docs page and the fixture folder. */
import { adminPasswordPolicy } from './admin-password-policy';
import { csrfKeyLength } from './csrf-key-length';
import { defaultAdminPassword } from './default-admin-password';
import { defaultDatabasePassword } from './default-database-password';
import { existingSecretKeys } from './existing-secret-keys';
import { exposeAutoCert } from './expose-auto-cert';
import { externalUrl } from './external-url';
import { gitopsRandomValues } from './gitops-random-values';
import { haInstaller } from './ha-installer';
import { httpsRedirectLoop } from './https-redirect-loop';
import { ingressTlsOff } from './ingress-tls-off';
import { inputEncoding } from './input-encoding';
import { inputNotText } from './input-not-text';
import { inputTooLarge } from './input-too-large';
import { installerPlaceholders } from './installer-placeholders';
import { internalForwardedProto } from './internal-forwarded-proto';
import { internalNginxEdits } from './internal-nginx-edits';
import { internalSecretLength } from './internal-secret-length';
import { legacyTokenKey } from './legacy-token-key';
import { nginxInclude } from './nginx-include';
import { nginxSyntax } from './nginx-syntax';
import { proxyApiBearer } from './proxy-api-bearer';
import { proxyAuthorization } from './proxy-authorization';
import { proxyBodySize } from './proxy-body-size';
import { proxyChunked } from './proxy-chunked';
import { proxyForwardedHost } from './proxy-forwarded-host';
import { proxyForwardedProto } from './proxy-forwarded-proto';
import { proxyHostHeader } from './proxy-host-header';
import { proxyRegistryBypass } from './proxy-registry-bypass';
import { proxyRootPath } from './proxy-root-path';
import { proxyRoutes } from './proxy-routes';
import { proxyStreaming } from './proxy-streaming';
import { proxyTimeouts } from './proxy-timeouts';
import { registryCredentials } from './registry-credentials';
import type { InputRule, Rule, RuleMeta } from './rule';
import { robotApiBearerAuth } from './robot-api-bearer-auth';
import { robotNameQuoting } from './robot-name-quoting';
import { dockerLoginPassword } from './docker-login-password';
import { apiV1Path } from './api-v1-path';
import { apiRepoEncoding } from './api-repo-encoding';
import { secretKey } from './secret-key';
import { storageRedirect } from './storage-redirect';
import { tlsCertificate } from './tls-certificate';
import { tlsKeyCertificateMismatch } from './tls-key-certificate-mismatch';
import { tlsUpstream } from './tls-upstream';
import { tokenKeyDiffersBetweenNodes } from './token-key-differs-between-nodes';
import { tokenKeyFormat } from './token-key-format';
import { tokenKeyNotShared } from './token-key-not-shared';
import { tokenKeyPair } from './token-key-pair';
import { unknownKey } from './unknown-key';
import { valueType } from './value-type';
import { yamlSyntax } from './yaml-syntax';

/** Rules that read a parsed model, in the order they run. */
export const allRules: readonly Rule[] = [
  // The file itself
  yamlSyntax,
  nginxSyntax,
  nginxInclude,
  // Chart values, harbor.yml and harbor.cfg: the keys themselves
  unknownKey,
  valueType,
  // Chart values, harbor.yml and harbor.cfg: credentials
  defaultAdminPassword,
  adminPasswordPolicy,
  tokenKeyPair,
  tokenKeyFormat,
  legacyTokenKey,
  tokenKeyNotShared,
  gitopsRandomValues,
  secretKey,
  defaultDatabasePassword,
  registryCredentials,
  csrfKeyLength,
  internalSecretLength,
  existingSecretKeys,
  // Chart values and harbor.yml: URLs, TLS termination, storage, installer
  externalUrl,
  tlsUpstream,
  ingressTlsOff,
  exposeAutoCert,
  storageRedirect,
  installerPlaceholders,
  haInstaller,
  // nginx in front of Harbor, and Harbor's own
  proxyBodySize,
  proxyForwardedProto,
  proxyHostHeader,
  proxyForwardedHost,
  proxyAuthorization,
  proxyStreaming,
  proxyTimeouts,
  proxyChunked,
  proxyRoutes,
  proxyRootPath,
  proxyRegistryBypass,
  httpsRedirectLoop,
  proxyApiBearer,
  internalForwardedProto,
  internalNginxEdits,
  // Keys and certificates
  tlsKeyCertificateMismatch,
  tlsCertificate,
  tokenKeyDiffersBetweenNodes,
  // Scripts and pipelines that call Harbor
  robotApiBearerAuth,
  robotNameQuoting,
  apiV1Path,
  apiRepoEncoding,
  dockerLoginPassword,
];

/** Rules the facade reports before parsing. */
export const inputRules = { notText: inputNotText, tooLarge: inputTooLarge, encoding: inputEncoding } satisfies Record<string, InputRule>;

export const ruleCatalog: readonly RuleMeta[] = [...Object.values(inputRules), ...allRules].map((rule) => rule.meta);

export function findRuleMeta(idOrCatalogId: string): RuleMeta | undefined {
  return ruleCatalog.find((meta) => meta.id === idOrCatalogId) ?? ruleCatalog.find((meta) => meta.catalogId === idOrCatalogId);
}
