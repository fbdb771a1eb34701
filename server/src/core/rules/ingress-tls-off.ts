import { clip } from './support/message';
import type { TextEdit } from '../types';
import { defineRule } from './rule';
import { chartReads } from '../versions';
import { booleanOf, exposeSettings, insertAtPath, parseUrl, replaceValueSource } from './support/chartExpose';

/** The chart's values.yaml sets these on the ingress (values.yaml:45-47); Helm merges user annotations into them. */
const CHART_DEFAULT_REDIRECTS = ['ingress.kubernetes.io/ssl-redirect', 'nginx.ingress.kubernetes.io/ssl-redirect'];
const REDIRECT_KEY = /(^|\/)(force-)?ssl-redirect$/;

export const ingressTlsOff = defineRule({
  meta: {
    id: 'ingress-tls-off',
    catalogId: 'HB-INGRESS-TLS-OFF',
    title: 'ssl-redirect annotations left on an ingress with TLS disabled',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Reports `expose.type: ingress` with `expose.tls.enabled: false` where an `ssl-redirect` or `force-ssl-redirect` annotation is `\"true\"`: written in the values (a warning), or inherited from the chart's own defaults (an info, since ingress-nginx itself only redirects once the Ingress has a certificate) (`ingress.kubernetes.io/ssl-redirect` and `nginx.ingress.kubernetes.io/ssl-redirect`), because Helm merges your annotations into the chart's rather than replacing them. Not reported when `externalURL` is `https://` (TLS terminated in front, see `tls-upstream`), or when the ingress class is a controller that ignores these annotations.",
      why:
        'The chart says to "Delete the ssl-redirect annotations in expose.ingress.annotations when TLS is disabled". Left in place, a controller that honours them redirects plain-HTTP requests to https://, where nothing serves Harbor: `docker login`/`push` against the HTTP registry fail with `http: server gave HTTP response to HTTPS client` or a redirect to a port that is closed.',
      example: { language: 'yaml', code: 'expose:\n  type: ingress\n  tls:\n    enabled: false\n  ingress:\n    hosts:\n      core: harbor.example.com\nexternalURL: http://harbor.example.com' },
      fix:
        "Set each redirect annotation to `null`: deleting the line is not enough, because the chart's default `\"true\"` then applies again. The quick fix writes the `null`s (for a wrapper chart this needs Helm 3.13 or later, which passes `null` through to subcharts). Pushes to a TLS-less ingress also need the registry host listed in the Docker daemon's `insecure-registries`.",
      versions: 'All chart versions; the default annotations are in values.yaml since chart 1.0. `expose.ingress.className` (chart 1.9) and `expose.ingress.controller` (chart 1.1) only count for chart versions that read them.',
      evidence: ['harbor-helm values.yaml:6-10, 45-47', 'goharbor/harbor-helm PR #242, #574', 'goharbor/harbor#5291, #10265'],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      const { values } = target;
      const expose = exposeSettings(values);
      if (!expose.tlsEnabled?.explicit || expose.tlsEnabled.value !== false) continue;
      if (expose.type?.value !== 'ingress') continue;
      const external = values.literalString('externalURL');
      if (external && parseUrl(external.value)?.scheme === 'https') continue;
      const annotations = values.getMap('expose.ingress.annotations');
      if (values.get('expose.ingress.annotations')?.generated) continue;
      // Keys this chart version does not read (className before chart 1.9, controller before 1.1) choose nothing.
      const read = (path: string) => (chartReads(target, path) === false ? undefined : values.literalString(path)?.value);
      const className = read('expose.ingress.className') ?? annotations?.literalString(['kubernetes.io/ingress.class'])?.value;
      const controller = read('expose.ingress.controller');
      const nginxLike = (className === undefined || /nginx/i.test(className)) && (controller === undefined || controller === 'default');

      // Written in the values.
      const written = (annotations?.entries() ?? []).filter((e) => REDIRECT_KEY.test(e.key) && booleanOf(e) === true);
      for (const entry of written) {
        if (!nginxLike && entry.key.startsWith('nginx.')) continue;
        const edit = replaceValueSource(entry, 'null');
        context.report({
          span: entry.keySpan,
          message: `${clip(entry.key, 60)} is true while expose.tls.enabled is false: docker login gets "server gave HTTP response to HTTPS client"`,
          detail: `${entry.key} is "true" but expose.tls.enabled is false: a controller that honours it redirects plain-HTTP requests to https://, where the ingress has no Harbor certificate, and docker login/push fail with "http: server gave HTTP response to HTTPS client" or a redirect to a closed port. The chart says to delete ssl-redirect annotations when TLS is disabled.`,
          fixes: edit ? [{ title: `Set ${clip(entry.key, 50)} to null`, note: `Removes ${entry.key}, including the chart's default.`, safety: 'safe', edits: [edit] }] : [],
        });
      }
      if (!nginxLike || written.length > 0) continue;
      // Inherited from the chart's defaults.
      const inherited = CHART_DEFAULT_REDIRECTS.filter((key) => !annotations?.get([key]));
      if (inherited.length === 0) continue;
      const lines = inherited.map((key) => `${key}: null`);
      const edit: TextEdit | undefined = annotations ? insertAtPath(context.lines, annotations, [], lines) : insertAtPath(context.lines, values, ['expose', 'ingress', 'annotations'], lines);
      context.report({
        span: expose.tlsEnabled.entry!.valueSpan,
        // ingress-nginx itself only redirects when the Ingress has a certificate; other controllers may not wait for one.
        severity: 'info',
        message: `expose.tls.enabled is false but the chart's ssl-redirect annotations still apply: docker login may hit a redirect to https`,
        detail: `expose.tls.enabled is false but the chart's default ingress annotations ${inherited.join(' and ')}: "true" still apply (Helm merges your annotations into the chart's). The chart says to delete them when TLS is disabled: a controller that honours them redirects plain-HTTP requests to https://, and docker login/push then fail with "http: server gave HTTP response to HTTPS client".`,
        fixes: edit ? [{ title: "Set the chart's ssl-redirect annotations to null", note: `Sets ${inherited.join(' and ')} to null in expose.ingress.annotations.`, safety: 'safe', edits: [edit] }] : [],
      });
    }
  },
});
