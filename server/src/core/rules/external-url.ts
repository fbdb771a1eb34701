import { clip } from './support/message';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import type { YamlEntry, YamlMapView } from '../yaml/yamlModel';
import { defineRule, type Report, type RuleContext } from './rule';
import { unsetKeyTakesDefault, valuesMayComeFromElsewhere } from './support/valuesSources';
import { exposeSettings, formatUrl, insertAtPath, parseUrl, PLACEHOLDER_HOSTS, replaceValueSource, type ParsedUrl } from './support/chartExpose';

const OIDC = 'the OIDC redirect_uri is this URL + "/c/oidc/callback"';

export const externalUrl = defineRule({
  meta: {
    id: 'external-url',
    catalogId: 'HB-EXTERNAL-URL',
    title: 'externalURL / external_url malformed, a placeholder, or inconsistent with TLS and the ingress host',
    appliesTo: ['helm-values', 'harbor-yml'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Checks the chart's `externalURL` and the installer's `external_url` (or, without it, `hostname`): it must be `scheme://host[:port]` with no path, must not be a template placeholder (`https://core.harbor.domain`, `reg.mydomain.com`), must use `https` when the chart or installer terminates TLS itself, and for `expose.type: ingress` must name the same host as `expose.ingress.hosts.core`. With `expose.type: nodePort` and no port it reports an info. Values that set `expose.type` or the ingress hosts but no `externalURL` get the chart default `https://core.harbor.domain` and are reported too. An unset `expose.ingress.hosts.core` counts as the default `core.harbor.domain` only in values that write `expose.ingress.hosts` or are the whole set Helm receives; a values file that overrides a few keys may be one of several `-f` files. Templated values are not checked.",
      why:
        'Core puts this value into the token challenge: `docker login` gets `Bearer realm="<scheme>://<Host>/service/token"`, so a missing scheme makes a realm with no scheme and the login fails before it starts. The same value is the OIDC `redirect_uri` (`<externalURL>/c/oidc/callback`, so a trailing `/` gives `//c/oidc/callback`), the CSRF cookie\'s `Secure` flag and the push command the UI shows. A placeholder host sends OIDC logins and UI links to `core.harbor.domain`; an ingress host that differs from it means the ingress never answers for the URL users are given.',
      example: { language: 'yaml', code: 'expose:\n  type: ingress\n  tls:\n    enabled: true\n  ingress:\n    hosts:\n      core: harbor.example.com\nexternalURL: harbor.example.com/' },
      fix:
        'Write `https://harbor.example.com` (or `http://` when neither the chart nor anything in front of it serves TLS), with a port only when it is not the default, and no path: Harbor must be served from the domain root. Quick fixes add a missing scheme (`https` when the chart\'s TLS is on), drop a trailing `/` or path, switch `http` to `https` when TLS is on, and add a missing `externalURL` built from the ingress host.',
      versions:
        'All Harbor and chart versions. When `external_url` is set in harbor.yml, `hostname` is no longer used for URLs, so a different `hostname` is not reported. TLS-disabled values with an `https://` URL (TLS in front of the chart) are left to `tls-upstream`.',
      evidence: [
        'goharbor/harbor src/server/middleware/v2auth/auth.go:92-140 (getChallenge, tokenSvcURL)',
        'src/lib/config/userconfig.go:176 (OIDC redirect_uri); csrf.go:104',
        'make/photon/prepare/utils/configs.py:134-147 (public_url)',
        'goharbor/website docs/install-config/harbor-ha-helm.md:43-44; goharbor/harbor#12316, #16942',
      ],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkValues(context, target);
    if (context.installer) checkInstaller(context, context.installer);
  },
});

/** Format checks shared by externalURL and external_url: (a) scheme, (b) path, (c) placeholder. */
function formatProblems(context: RuleContext, entry: YamlEntry, url: ParsedUrl, name: string, tlsScheme: string | undefined): boolean {
  let reported = false;
  const report = (finding: Report) => {
    reported = true;
    context.report(finding);
  };
  if (!url.scheme) {
    const scheme = tlsScheme ?? 'https';
    report({
      span: entry.valueSpan,
      message: `${name} "${clip(url.raw, 40)}" has no scheme: the token realm has none either, so docker login fails`,
      detail: `${name} "${url.raw}" has no scheme, and Harbor takes the token realm's scheme from it: docker gets \`Bearer realm="<host>/service/token"\` from /v2/ with no scheme and docker login fails; ${OIDC}, which has no scheme either.`,
      fixes: url.path.replace(/\/+$/, '') === '' ? [{ title: `Write ${name} as ${formatUrl(scheme, url)}`, safety: tlsScheme ? 'safe' : 'unsafe', edits: [{ span: entry.valueSpan, newText: formatUrl(scheme, url) }] }] : [],
    });
  } else if (url.scheme !== 'http' && url.scheme !== 'https') {
    report({
      span: entry.valueSpan,
      message: `${name} has the scheme "${clip(url.scheme, 15)}://": the token realm copies it, so docker login cannot fetch a token`,
      detail: `${name} has the scheme "${url.scheme}://": Harbor copies it into the token realm (\`Bearer realm="${url.scheme}://<host>/service/token"\`), so docker login cannot fetch a token. Use http:// or https://.`,
    });
  }
  if (url.path !== '') {
    const trailingSlash = /^\/+$/.test(url.path);
    report({
      span: entry.valueSpan,
      message: trailingSlash
        ? `${name} ends with "/": the OIDC redirect URI becomes "…//c/oidc/callback" and the identity provider rejects it`
        : `${name} has a path ("${clip(url.path, 30)}"): Harbor must be at the domain root, so docker login and the UI break`,
      detail: trailingSlash
        ? `${name} ends with "/": ${OIDC}, so it becomes "…//c/oidc/callback" and the identity provider rejects it as an unregistered redirect URI. Harbor URLs are scheme://host[:port] only.`
        : `${name} has a path ("${url.path}"), but Harbor must be served from the domain root (Harbor "doesn't support running on a path"): /v2/, /service/token and /c/ are at the root, so docker login and the UI break.`,
      fixes: url.scheme ? [{ title: `Write ${name} as ${formatUrl(url.scheme, url)}`, safety: trailingSlash ? 'safe' : 'unsafe', edits: [{ span: entry.valueSpan, newText: formatUrl(url.scheme, url) }] }] : [],
    });
  }
  if (PLACEHOLDER_HOSTS.has(url.host)) {
    report({
      span: entry.valueSpan,
      message: `${name} still has the placeholder host ${clip(url.host, 40)}: the UI's push commands and OIDC callbacks point there`,
      detail: `${name} still has the template's placeholder host ${url.host}: the UI shows "docker push ${url.host}/…" commands, OIDC logins are sent back to ${url.host}/c/oidc/callback and webhooks and replication point there.`,
    });
  }
  return reported;
}

function checkValues(context: RuleContext, target: HelmValuesTarget): void {
  const { values } = target;
  const expose = exposeSettings(values);
  const tlsOn = expose.tlsEnabled && (expose.configured || expose.tlsEnabled.explicit) ? expose.tlsEnabled.value : undefined;
  const entry = values.get('externalURL');
  if (!entry || (entry.value === null && !entry.generated)) {
    // Missing only when these values are all Helm gets (not a valuesFrom part, not a ytt overlay).
    // …and when they say how Harbor is exposed (a file that only overrides expose.tls may be one of several).
    const exposedHere = values.isSet('expose.type') || unsetKeyTakesDefault(context, target, 'expose.ingress.hosts');
    if (expose.configured && exposedHere && !valuesMayComeFromElsewhere(context, target)) reportMissing(context, values, entry, expose, tlsOn);
    return;
  }
  if (entry.generated) return;
  if (typeof entry.value !== 'string' || entry.value.trim() === '') return;
  const url = parseUrl(entry.value);
  if (!url) {
    context.report({
      span: entry.valueSpan,
      message: `externalURL "${clip(entry.value, 40)}" is not a URL: the token realm is built from it, so docker login fails`,
      detail: `externalURL "${entry.value}" is not a URL, and Harbor builds the token realm from it, so docker login fails.`,
    });
    return;
  }
  const tlsScheme = tlsOn === undefined ? undefined : tlsOn ? 'https' : 'http';
  formatProblems(context, entry, url, 'externalURL', tlsScheme);
  if (!url.scheme) return;
  const tlsNote = expose.tlsEnabled?.explicit ? 'expose.tls.enabled is true' : "expose.tls.enabled is not set and the chart's default is true";
  // (e1) The chart serves HTTPS but the URL says http.
  if (tlsOn === true && url.scheme === 'http') {
    context.report({
      span: entry.valueSpan,
      message: `externalURL is http:// but ${expose.tlsEnabled?.explicit ? 'expose.tls.enabled is true' : 'TLS is on (chart default)'}: docker login's token request goes to http:// and fails`,
      detail: `externalURL is http:// but ${tlsNote}, so the chart serves HTTPS while docker login is told to fetch its token from \`realm="http://<host>/service/token"\`, which is redirected or refused; the CSRF cookie is also not marked Secure.`,
      fixes: [{ title: `Write externalURL as ${formatUrl('https', url)}`, safety: 'unsafe', edits: [{ span: entry.valueSpan, newText: formatUrl('https', url) }] }],
    });
  }
  const type = expose.type?.value;
  // (d) The ingress answers for another host.
  if (expose.configured && type === 'ingress' && expose.coreHost && !PLACEHOLDER_HOSTS.has(url.host)) {
    const coreHost = expose.coreHost.value.toLowerCase().replace(/\.$/, '');
    // An unset hosts.core is core.harbor.domain only when no other values file can set it.
    const certain = expose.coreHost.explicit || unsetKeyTakesDefault(context, target, 'expose.ingress.hosts');
    if (certain && coreHost !== '' && coreHost !== url.host && !coreHost.includes('*')) {
      const where = expose.coreHost.explicit ? `expose.ingress.hosts.core is ${expose.coreHost.value}` : 'expose.ingress.hosts.core is not set, so the chart\'s default core.harbor.domain is used';
      context.report({
        span: entry.valueSpan,
        severity: 'warning',
        message: `externalURL host ${clip(url.host, 40)} is not expose.ingress.hosts.core (${clip(coreHost, 40)}): docker login does not reach Harbor`,
        detail: `externalURL names ${url.host} but ${where}: the ingress only answers for that host, so docker login ${url.host} and OIDC callbacks to ${url.host}/c/oidc/callback do not reach Harbor (OIDC works for one domain only).`,
      });
    }
  }
  // (f) nodePort without a port.
  if (expose.configured && type === 'nodePort' && !url.port) {
    context.report({
      span: entry.valueSpan,
      severity: 'info',
      message: `expose.type is nodePort but externalURL has no port: the token realm and UI links go to port ${url.scheme === 'https' ? 443 : 80}`,
      detail: `expose.type is nodePort but externalURL has no port, so the token realm and UI links go to port ${url.scheme === 'https' ? 443 : 80}, where nothing listens unless a load balancer forwards it; the chart's nodePorts default to 30002 (http) and 30003 (https).`,
    });
  }
}

function reportMissing(context: RuleContext, values: YamlMapView, entry: YamlEntry | undefined, expose: ReturnType<typeof exposeSettings>, tlsOn: boolean | undefined): void {
  const coreHost = expose.type?.value === 'ingress' && expose.coreHost?.explicit ? expose.coreHost.value : undefined;
  const usable = coreHost && !PLACEHOLDER_HOSTS.has(coreHost.toLowerCase()) && /^[A-Za-z0-9.-]+$/.test(coreHost);
  const scheme = tlsOn === false ? 'http' : 'https';
  const edit = usable ? (entry ? replaceValueSource(entry, `${scheme}://${coreHost}`) : insertAtPath(context.lines, values, [], [`externalURL: ${scheme}://${coreHost}`])) : undefined;
  context.report({
    span: entry ? entry.keySpan : values.getMap('expose') ? values.get('expose')!.keySpan : values.span,
    severity: 'warning',
    message: 'expose is configured but externalURL is not: push commands and OIDC callbacks use the placeholder core.harbor.domain',
    detail: 'These values configure expose but not externalURL, so the chart\'s placeholder https://core.harbor.domain applies: the UI shows "docker push core.harbor.domain/…" commands and OIDC logins are sent back to core.harbor.domain.',
    fixes: edit ? [{ title: `Set externalURL to ${clip(`${scheme}://${coreHost}`, 50)}`, note: 'The ingress host.', safety: 'unsafe', edits: [edit] }] : [],
  });
}

function checkInstaller(context: RuleContext, installer: YamlMapView): void {
  const httpsOn = installer.getMap('https') !== undefined && installer.getMap('https')!.entries().length > 0;
  const external = installer.get('external_url');
  if (external && !external.generated && typeof external.value === 'string' && external.value.trim() !== '') {
    const url = parseUrl(external.value);
    if (!url) {
      context.report({
        span: external.valueSpan,
        message: `external_url "${clip(external.value, 40)}" is not a URL: the token realm is built from it, so docker login fails`,
        detail: `external_url "${external.value}" is not a URL, and Harbor builds the token realm from it, so docker login fails.`,
      });
      return;
    }
    formatProblems(context, external, url, 'external_url', httpsOn ? 'https' : undefined);
    if (httpsOn && url.scheme === 'http') {
      context.report({
        span: external.valueSpan,
        message: "external_url is http:// but the https: block is set: docker login's token request is redirected and fails",
        detail: `external_url is http:// but the https: block is configured, so Harbor's nginx redirects port ${installer.get('http.port')?.value ?? 80} to HTTPS while docker login is told to fetch its token from \`realm="http://<host>/service/token"\`, which is bounced; the CSRF cookie is also not marked Secure.`,
        fixes: [{ title: `Write external_url as ${formatUrl('https', url)}`, safety: 'unsafe', edits: [{ span: external.valueSpan, newText: formatUrl('https', url) }] }],
      });
    }
    return;
  }
  if (external?.generated) return;
  // Without external_url, prepare builds the URL as <protocol>://<hostname>[:<port>].
  const hostname = installer.literalString('hostname');
  if (!hostname || typeof hostname.entry.value !== 'string') return;
  const url = parseUrl(hostname.value);
  if (!url || PLACEHOLDER_HOSTS.has(url.host)) return; // placeholders: installer-placeholders
  if (url.scheme || url.path !== '') {
    context.report({
      span: hostname.entry.valueSpan,
      message: `hostname "${clip(hostname.value, 40)}" must be a bare host name or IP: the external URL is malformed, docker login fails`,
      detail: `hostname must be a bare host name or IP, but it is "${hostname.value}": without external_url, prepare builds the external URL as "<protocol>://<hostname>[:<port>]", giving "${httpsOn ? 'https' : 'http'}://${hostname.value}", which becomes the token realm's scheme, the UI's push commands and the OIDC redirect_uri, so docker login fails.`,
      fixes: [{ title: `Write hostname as ${url.host}`, safety: url.port ? 'unsafe' : 'safe', edits: [{ span: hostname.entry.valueSpan, newText: url.host + (url.port ? `:${url.port}` : '') }] }],
    });
  }
}
