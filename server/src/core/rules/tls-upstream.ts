import { defineRule } from './rule';
import { chartName, chartReads } from '../versions';
import { booleanOf, compareVersions, exposeSettings, insertAtPath, parseUrl, replaceValueSource } from './support/chartExpose';

export const tlsUpstream = defineRule({
  meta: {
    id: 'tls-upstream',
    catalogId: 'HB-TLS-UPSTREAM',
    title: 'Chart behind a TLS-terminating load balancer or ingress without relative upload URLs',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        'Reports chart values where TLS ends in front of Harbor (`expose.tls.enabled: false` with an `https://` `externalURL`) and `registry.relativeurls` is not `true`. The registry then builds absolute upload URLs from the `X-Forwarded-Proto` it receives, which is only `https` if every hop in front passes it on.',
      why:
        '`docker push` gets `401 Unauthorized` on the `PUT`/`PATCH` of the first layer (HEAD 401 → GET /service/token 200 → POST 202 → PUT 401): the `Location` of the upload is `http://…`, and the docker client only sends its token to the scheme and host it logged in to. With `expose.type: ingress`, ingress-nginx replaces `X-Forwarded-Proto` with the scheme it saw (`http`) unless its ConfigMap sets `use-forwarded-headers: "true"`; with `clusterIP`/`nodePort`/`loadBalancer`, the load balancer must send `X-Forwarded-Proto: https`, which an L4 load balancer cannot.',
      example: { language: 'yaml', code: 'expose:\n  type: clusterIP\n  tls:\n    enabled: false\nexternalURL: https://harbor.example.com' },
      fix:
        'Set `registry.relativeurls: true` ("Needed if harbor is behind a reverse proxy"): the registry then returns relative `Location` headers and the client keeps its scheme and host (not supported by Docker 1.7 and older). The quick fix sets it. Alternatively make every hop send `X-Forwarded-Proto: https` (ingress-nginx: `use-forwarded-headers: "true"` in the controller ConfigMap).',
      versions:
        'Chart 1.7.0 and later (Harbor 2.3+) pass an incoming `X-Forwarded-Proto` through the chart\'s nginx; older charts overwrite it with `http` for `clusterIP`/`nodePort`/`loadBalancer`, so only `relativeurls` helps there. Charts 1.0 and 1.1 have no `registry.relativeurls`: the finding then offers no edit and says to upgrade or terminate TLS in the chart.',
      evidence: ['distribution v2.8.3 registry/api/v2/urls.go:49-86, registry/client/auth/session.go:73-103', 'goharbor/harbor-helm#345, #1375, #1632, #2271', 'goharbor/harbor#3114'],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      const { values, chartVersion } = target;
      const expose = exposeSettings(values);
      if (!expose.tlsEnabled?.explicit || expose.tlsEnabled.value !== false) continue;
      const external = values.literalString('externalURL');
      if (!external || parseUrl(external.value)?.scheme !== 'https') continue;
      const relative = values.get('registry.relativeurls');
      if (relative?.generated || booleanOf(relative) === true) continue;
      const type = expose.type?.value;
      if (!type) continue;
      const oldChart = (compareVersions(chartVersion, '1.7.0') ?? 0) < 0;
      const consequence =
        type === 'ingress'
          ? 'so upload Locations are only https:// if the ingress controller passes X-Forwarded-Proto: https on (ingress-nginx replaces it with the scheme it saw unless its ConfigMap has use-forwarded-headers: "true")'
          : oldChart
            ? `so upload Locations are http://: charts before 1.7.0 (this is ${chartVersion}) overwrite X-Forwarded-Proto with the scheme the chart's nginx saw`
            : 'so upload Locations are only https:// if the load balancer in front sends X-Forwarded-Proto: https (an L4/TCP load balancer cannot)';
      // Charts 1.0 and 1.1 have no registry.relativeurls: the key would be ignored.
      if (chartReads(target, 'registry.relativeurls') === false) {
        context.report({
          span: expose.tlsEnabled.entry!.valueSpan,
          message: `expose.tls.enabled: false with an https externalURL on ${chartName(target)}, which has no registry.relativeurls: docker push can get 401 Unauthorized`,
          detail: `TLS ends in front of the chart (expose.tls.enabled: false, externalURL https://), ${consequence}. ${chartName(target)} has no registry.relativeurls setting (it arrived in chart 1.2), so the registry always builds absolute upload URLs. With http:// Locations docker push fails with 401 Unauthorized on the PUT/PATCH after POST /v2/<repo>/blobs/uploads/ returned 202.`,
          fixes: [{ title: 'Upgrade to chart 1.2 or later and set registry.relativeurls: true, or terminate TLS in the chart (expose.tls.enabled: true)', safety: 'display-only', edits: [] }],
        });
        continue;
      }
      const edit = relative ? replaceValueSource(relative, 'true') : insertAtPath(context.lines, values, ['registry'], ['relativeurls: true']);
      context.report({
        span: expose.tlsEnabled.entry!.valueSpan,
        message: 'expose.tls.enabled: false with an https externalURL needs registry.relativeurls: true: docker push can get 401 Unauthorized',
        detail: `TLS ends in front of the chart (expose.tls.enabled: false, externalURL https://) but registry.relativeurls is not true, ${consequence}. With http:// Locations docker push fails with 401 Unauthorized on the PUT/PATCH after POST /v2/<repo>/blobs/uploads/ returned 202.`,
        fixes: edit ? [{ title: 'Set registry.relativeurls: true', note: 'Relative upload URLs; not supported by Docker 1.7 and older.', safety: 'safe', edits: [edit] }] : [],
      });
    }
  },
});
