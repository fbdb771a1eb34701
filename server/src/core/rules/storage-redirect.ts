import { clip } from './support/message';
import type { TextEdit } from '../types';
import type { YamlEntry, YamlMapView } from '../yaml/yamlModel';
import { defineRule, type RuleContext } from './rule';
import { booleanOf, effectiveString, insertAtPath, privateEndpointReason, replaceValueSource } from './support/chartExpose';

interface Store {
  driver: string;
  endpoint: YamlEntry;
  reason: string;
}

/** The object-store endpoint of a storage map (chart `imageChartStorage` or installer `storage_service`) that clients likely can't reach. */
function privateStore(storage: YamlMapView, driver: string): Store | undefined {
  const keyOf: Record<string, string[]> = { s3: ['s3', 'regionendpoint'], oss: ['oss', 'endpoint'], swift: ['swift', 'authurl'] };
  const path = keyOf[driver];
  if (!path) return undefined;
  const endpoint = storage.literalString(path);
  if (driver === 'oss' && booleanOf(storage.get('oss.internal')) === true) {
    const entry = storage.get('oss.internal')!;
    return { driver, endpoint: entry, reason: "Alibaba OSS's internal (VPC-only) endpoint" };
  }
  if (!endpoint) return undefined;
  const reason = privateEndpointReason(endpoint.value) ?? (driver === 'oss' && /-internal\./.test(endpoint.value) ? "Alibaba OSS's internal (VPC-only) endpoint" : undefined);
  return reason ? { driver, endpoint: endpoint.entry, reason } : undefined;
}

function shortMessage(store: Store, setting: string): string {
  return `${store.driver} endpoint is ${clip(store.reason, 40)} and ${setting} is unset: docker pull from outside gets "no such host"`;
}

function message(store: Store, setting: string): string {
  // The endpoint is shown without any user:password@ part.
  const shown = typeof store.endpoint.value === 'string' ? ` (${store.endpoint.value.replace(/\/\/[^/@]*@/, '//')})` : '';
  return `Blobs are stored in ${store.driver} at ${store.reason}${shown} and ${setting} is not set, so the registry answers docker pull with 307 redirects to presigned URLs on that host: clients outside the network fail with "dial tcp: lookup … no such host", i/o timeouts or TLS errors while fetching layers. The chart says to disable redirects "for backends which not supported it (such as using minio for s3 storage type)".`;
}

export const storageRedirect = defineRule({
  meta: {
    id: 'storage-redirect',
    catalogId: 'HB-STORAGE-REDIRECT',
    title: 'Blob redirects to an object store that clients cannot reach',
    appliesTo: ['helm-values', 'harbor-yml'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Reports S3-compatible (`s3.regionendpoint`), OSS or Swift storage whose endpoint is likely private, namely an in-cluster Service (`*.svc`, `*.cluster.local`), `*.internal`, an RFC 1918 or loopback address, a single-label name, anything naming MinIO, or OSS's internal endpoint, while redirects are left on: chart `persistence.imageChartStorage.disableredirect` or harbor.yml `storage_service.redirect.disable`. AWS S3 and other public endpoints are not reported: there redirects are what you want.",
      why:
        'By default the registry does not stream layers itself: it answers `GET /v2/<repo>/blobs/<digest>` with a `307` to a presigned URL on the storage endpoint. If docker clients cannot resolve or reach that host, `docker pull` fails on the first layer (`dial tcp: lookup minio.storage.svc.cluster.local: no such host`, an i/o timeout, or a certificate error) while the manifest and `docker login` work.',
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\npersistence:\n  imageChartStorage:\n    type: s3\n    s3:\n      bucket: harbor\n      regionendpoint: http://minio.storage.svc.cluster.local:9000' },
      fix:
        "Set `persistence.imageChartStorage.disableredirect: true` (chart) or `storage_service.redirect.disable: true` (harbor.yml), so that the registry streams the blobs itself; the quick fix does. If the registry then needs an HTTP proxy to reach the store, add `registry` to the proxy's components. Or expose the store at a public name and use that as the endpoint.",
      versions: 'All chart and installer versions with object storage. harbor.yml files that spell the key `redirect.disabled` are honoured too.',
      evidence: ['harbor-helm values.yaml:196-205', 'goharbor/harbor#13037, #15542, #20588, #22972, #23050', 'vmware/harbor-boshrelease#15'],
    },
  },
  check(context) {
    for (const { values } of context.helmValues) checkValues(context, values);
    if (context.installer) checkInstaller(context, context.installer);
  },
});

function checkValues(context: RuleContext, values: YamlMapView): void {
  const storage = values.getMap('persistence.imageChartStorage');
  if (!storage) return;
  const type = effectiveString(storage, 'type', 'filesystem');
  if (!type) return;
  const disable = storage.get('disableredirect');
  if (disable?.generated || booleanOf(disable) === true) return;
  const store = privateStore(storage, type.value);
  if (!store) return;
  const edit = disable ? replaceValueSource(disable, 'true') : insertAtPath(context.lines, storage, [], ['disableredirect: true']);
  context.report({
    span: store.endpoint.valueSpan,
    message: shortMessage(store, 'disableredirect'),
    detail: message(store, 'persistence.imageChartStorage.disableredirect'),
    fixes: edit ? [{ title: 'Set persistence.imageChartStorage.disableredirect: true', note: 'The registry then streams blobs itself.', safety: 'safe', edits: [edit] }] : [],
  });
}

function checkInstaller(context: RuleContext, installer: YamlMapView): void {
  const storage = installer.getMap('storage_service');
  if (!storage) return;
  const driver = ['s3', 'oss', 'swift'].find((key) => storage.getMap([key]));
  if (!driver) return;
  const redirect = storage.getMap('redirect');
  const flags = [redirect?.get('disable'), redirect?.get('disabled')];
  if (flags.some((flag) => flag?.generated || booleanOf(flag) === true)) return;
  const store = privateStore(storage, driver);
  if (!store) return;
  const existing = flags.find((flag) => flag !== undefined);
  let edit: TextEdit | undefined;
  if (existing) edit = replaceValueSource(existing, 'true');
  else if (redirect) edit = insertAtPath(context.lines, redirect, [], ['disable: true']);
  else edit = insertAtPath(context.lines, storage, ['redirect'], ['disable: true']);
  context.report({
    span: store.endpoint.valueSpan,
    message: shortMessage(store, 'redirect.disable'),
    detail: message(store, 'storage_service.redirect.disable'),
    fixes: edit ? [{ title: 'Set storage_service.redirect.disable: true', note: 'The registry then streams blobs itself; run ./prepare.', safety: 'safe', edits: [edit] }] : [],
  });
}
