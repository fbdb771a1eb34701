import { defineRule } from './rule';
import { chartName, chartReads } from '../versions';
import { exposeSettings } from './support/chartExpose';
import { unsetKeyTakesDefault } from './support/valuesSources';

export const exposeAutoCert = defineRule({
  meta: {
    id: 'expose-auto-cert',
    catalogId: 'HB-EXPOSE-AUTO-CERT',
    title: 'expose.tls.certSource auto: a new CA and certificate on every upgrade',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'display-only',
    docs: {
      whatItDoes:
        "Reports chart values that configure `expose` with TLS on (`expose.tls.enabled`, default `true`) and `expose.tls.certSource: auto` (the chart's default when not set). When `certSource` is not set, it is reported only where it is certainly `auto`: values that are the whole set Helm receives (a wrapper's `harbor:` block, a HelmRelease's `values:` or an Argo CD `valuesObject:` with no other value sources), or values that write the `expose.tls` block themselves. A values file that overrides a few other keys is often one of several `-f` files and is not reported. With a cert-manager annotation on the ingress it also says that cert-manager and the chart write the same Secret.",
      why:
        'With `auto`, the chart runs `genCA "harbor-ca" 365` and `genSignedCert` on every render, so each `helm upgrade` (and every Argo CD/Flux sync) installs a new self-signed CA. Every Docker daemon and containerd that was told to trust the old CA (`/etc/docker/certs.d/<host>/ca.crt`) then fails with `x509: certificate signed by unknown authority` on `docker login`/`pull`, and the certificate also expires after a year. The upgrade guide warns: "a new certificate will be generated and overwrite the old one during the upgrade".',
      example: { language: 'yaml', code: 'expose:\n  type: ingress\n  tls:\n    enabled: true\n    certSource: auto\n  ingress:\n    hosts:\n      core: harbor.example.com\nexternalURL: https://harbor.example.com' },
      fix:
        'Use `certSource: secret` with `expose.tls.secret.secretName` naming a TLS Secret you manage (for example with a cert-manager `Certificate`), or `certSource: none` when the ingress controller\'s default certificate serves the host. No automatic edit: the Secret has to exist first.',
      versions: 'All chart versions. Charts before 1.5 have no `certSource`: when the chart version is known to be one of them, an empty `expose.tls.secretName` is what makes the chart generate the certificate; values that name `expose.tls.secretName` are not reported. For `clusterIP`/`nodePort`/`loadBalancer` the chart also requires `expose.tls.auto.commonName` with `auto`.',
      evidence: ['harbor-helm templates/ingress/secret.yaml, templates/nginx/secret.yaml (genCA, genSignedCert)', 'goharbor/website docs/administration/upgrade/helm-upgrade.md', 'harbor-helm values.yaml:19'],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      const { values } = target;
      const expose = exposeSettings(values);
      if (!expose.configured || !expose.tlsEnabled || expose.tlsEnabled.value !== true) continue;
      // Charts before 1.5 have no certSource: an empty expose.tls.secretName makes them generate the certificate.
      // Charts 1.0-1.4 have no certSource: a flat expose.tls.secretName names the certificate (empty: generated).
      // Values written for them keep that flat key and have no certSource, even where the chart version is not known.
      const flatSchema = chartReads(target, 'expose.tls.certSource') === undefined && values.get('expose.tls.secretName') !== undefined && values.get('expose.tls.certSource') === undefined && !values.getMap('expose.tls.secret');
      const beforeCertSource = chartReads(target, 'expose.tls.certSource') === false || flatSchema;
      if ((beforeCertSource || !expose.certSource?.explicit) && values.isSet('expose.tls.secretName')) continue;
      if (!beforeCertSource && expose.certSource?.value !== 'auto') continue;
      // An unset certSource (or, before 1.5, secretName) is auto only if no other values file sets it.
      const unset = beforeCertSource ? !values.isSet('expose.tls.secretName') : !expose.certSource!.explicit;
      if (unset && !unsetKeyTakesDefault(context, target, 'expose.tls')) continue;
      const span = (beforeCertSource ? values.get('expose.tls.secretName')?.keySpan : expose.certSource?.entry?.valueSpan) ?? values.get('expose.tls')?.keySpan ?? values.get('expose')!.keySpan;
      const how = beforeCertSource
        ? `expose.tls.secretName is empty, so ${flatSchema ? 'the chart (its 1.0-1.4 schema, with no certSource)' : chartName(target)} generates the certificate`
        : expose.certSource!.explicit
          ? 'expose.tls.certSource is auto'
          : "expose.tls.certSource is not set, so the chart's default auto applies";
      const certManager = (values.getMap('expose.ingress.annotations')?.keys() ?? []).some((key) => /^cert-?manager\.(io|k8s\.io)\/|^kubernetes\.io\/tls-acme$/.test(key));
      const extra = certManager && expose.type?.value === 'ingress' ? ' The cert-manager annotation makes cert-manager write the same Secret, so the two overwrite each other; certSource: secret with the Secret cert-manager owns avoids that.' : '';
      context.report({
        span,
        message: `${beforeCertSource ? 'expose.tls.secretName is empty' : expose.certSource!.explicit ? 'expose.tls.certSource is auto' : 'expose.tls.certSource is unset (auto)'}: each upgrade makes a new CA, so clients get "x509: certificate signed by unknown authority"`,
        detail: `${how}: every helm upgrade (and every Argo CD/Flux sync) generates a new self-signed CA, so clients that trust the old one fail with "x509: certificate signed by unknown authority" on docker login/pull, and the certificate expires after 365 days.${extra}`,
        fixes: [
          beforeCertSource
            ? { title: 'Set expose.tls.secretName to a TLS Secret you manage (for example from cert-manager)', safety: 'display-only', edits: [] }
            : { title: 'Use certSource: secret with a Secret you manage (for example from cert-manager), then set expose.tls.secret.secretName', safety: 'display-only', edits: [] },
        ],
      });
    }
  },
});
