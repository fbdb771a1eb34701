import { clip } from './support/message';
import type { YamlMapView } from '../yaml/yamlModel';
import { defineRule, type RuleContext } from './rule';
import { parseUrl } from './support/chartExpose';

const DB_PLACEHOLDER = /^(harbor|notary_signer|notary_server|clair)_db_(host|port|name|username|password)$/;

export const installerPlaceholders = defineRule({
  meta: {
    id: 'installer-placeholders',
    catalogId: 'HB-INSTALLER-PLACEHOLDERS',
    title: "Template values from harbor.yml.tmpl left in harbor.yml",
    appliesTo: ['harbor-yml'],
    defaultSeverity: 'error',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        "Reports values copied from `harbor.yml.tmpl` without being filled in: `hostname: reg.mydomain.com` (also written with a scheme), `127.0.0.1`, `localhost` or `::1`, `https.certificate: /your/certificate/path`, `https.private_key: /your/private/key/path`, and the `external_database` placeholders (`harbor_db_host`, `harbor_db_password`, …) uncommented as they are. Templated values (`{{ }}`, `$VAR`, `<URL>`) are not reported.",
      why:
        "`./prepare` refuses `reg.mydomain.com` and `127.0.0.1` as the hostname, but it compares the private key against the certificate's placeholder path, so `/your/private/key/path` passes that check and prepare fails later, when it copies the certificate and key for Harbor's nginx. `localhost` gets through too, and every other machine's `docker login localhost` goes to itself. Database placeholders leave core unable to reach its database.",
      example: { language: 'yaml', code: 'hostname: reg.mydomain.com\nhttp:\n  port: 80\nhttps:\n  port: 443\n  certificate: /your/certificate/path\n  private_key: /your/private/key/path\nharbor_admin_password: Harbor12345\n_version: 2.11.0' },
      fix: 'Put the real host name (the name clients use, not localhost) and the paths of your certificate and key; or, for HTTP only, remove the whole `https:` block. There is no automatic fix: only you know the values.',
      versions:
        'All installer versions with harbor.yml (1.8+). `localhost` is accepted when `external_url` is set, because `hostname` is then not used for URLs.',
      evidence: ['goharbor/harbor make/photon/prepare/utils/configs.py:14-15, 22-25, 32', 'make/harbor.yml.tmpl:4'],
    },
  },
  check(context) {
    const installer = context.installer;
    if (!installer) return;
    checkHostname(context, installer);
    checkHttps(context, installer);
    checkDatabase(context, installer);
  },
});

function checkHostname(context: RuleContext, installer: YamlMapView): void {
  const hostname = installer.literalString('hostname');
  if (!hostname) return;
  const host = parseUrl(hostname.value)?.host ?? hostname.value.trim().toLowerCase();
  const exact = hostname.value.trim() === host;
  const externalSet = installer.isSet('external_url');
  let message: string | undefined;
  let detail: string | undefined;
  let severity: 'warning' | undefined;
  if (host === 'reg.mydomain.com') {
    if (!exact && externalSet) severity = 'warning';
    message = exact
      ? "hostname is the template's placeholder reg.mydomain.com: ./prepare refuses it, so Harbor is not installed"
      : externalSet
        ? `hostname is the placeholder reg.mydomain.com (as "${clip(hostname.value, 30)}"), which ./prepare misses: set the real host`
        : `hostname is the placeholder reg.mydomain.com (as "${clip(hostname.value, 30)}"): docker login and the UI point at reg.mydomain.com`;
    detail = exact
      ? "hostname is the template's placeholder reg.mydomain.com: ./prepare refuses it and Harbor is not installed or reconfigured."
      : externalSet
        ? `hostname is the template's placeholder reg.mydomain.com, written as "${hostname.value}", which ./prepare's placeholder check does not catch; external_url is used for URLs, but fill in the real host here too.`
        : `hostname is the template's placeholder reg.mydomain.com, written as "${hostname.value}", which ./prepare's placeholder check does not catch: the token realm, the UI's push commands and OIDC callbacks all point at reg.mydomain.com.`;
  } else if (host === '127.0.0.1') {
    message = 'hostname is 127.0.0.1: ./prepare refuses it, so Harbor is not installed or reconfigured';
    detail = 'hostname is 127.0.0.1: ./prepare refuses it, because Harbor must be reached by external clients and every URL it hands out would point at the client itself.';
  } else if ((host === 'localhost' || host === '::1') && !externalSet) {
    message = `hostname is ${host}: docker login from any other machine goes to that machine itself`;
    detail = `hostname is ${host}: ./prepare accepts it, but the token realm and every URL Harbor hands out point at ${host}, so docker login from any other machine goes to that machine itself. harbor.yml.tmpl: "DO NOT use localhost or 127.0.0.1".`;
  } else if (/^your[_-]/i.test(host)) {
    message = `hostname is still a placeholder (${clip(hostname.value, 40)}): docker login cannot resolve the URLs Harbor hands out`;
    detail = `hostname is still a placeholder (${hostname.value}): Harbor hands out URLs with it, so docker login fails to resolve it.`;
  }
  if (message) context.report({ span: hostname.entry.valueSpan, message, detail, severity });
}

function checkHttps(context: RuleContext, installer: YamlMapView): void {
  const https = installer.getMap('https');
  if (!https) return;
  const certificate = https.literalString('certificate');
  if (certificate?.value.trim() === '/your/certificate/path') {
    context.report({
      span: certificate.entry.valueSpan,
      message: "https.certificate is the template's placeholder /your/certificate/path: ./prepare stops here",
      detail: "https.certificate is the template's placeholder /your/certificate/path: ./prepare stops here. Set the path of your certificate, or remove the https: block for HTTP only.",
    });
  }
  const key = https.literalString('private_key');
  if (key?.value.trim() === '/your/private/key/path') {
    context.report({
      span: key.entry.valueSpan,
      message: "https.private_key is the template's placeholder /your/private/key/path: ./prepare fails and HTTPS is never set up",
      detail: "https.private_key is the template's placeholder /your/private/key/path: ./prepare's placeholder check misses it (it compares the key path against the certificate's placeholder), and prepare then fails when it copies the key for Harbor's nginx, so HTTPS is never configured.",
    });
  }
}

function checkDatabase(context: RuleContext, installer: YamlMapView): void {
  const external = installer.getMap('external_database');
  if (!external) return;
  for (const section of external.entries()) {
    const map = external.getMap([section.key]);
    for (const entry of map?.entries() ?? []) {
      if (entry.generated || typeof entry.value !== 'string' || !DB_PLACEHOLDER.test(entry.value.trim())) continue;
      context.report({
        span: entry.valueSpan,
        message: `external_database.${clip(section.key, 20)}.${clip(entry.key, 20)} is the template's placeholder: core cannot reach the database and does not start`,
        detail: `external_database.${section.key}.${entry.key} is the template's placeholder ${entry.key === 'password' ? '(harbor_db_password)' : entry.value}: core cannot reach the database and does not start.`,
      });
    }
  }
}
