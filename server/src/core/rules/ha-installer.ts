import { installerVersion } from '../yaml/harborYaml';
import { defineRule } from './rule';
import { booleanOf, compareVersions } from './support/chartExpose';

export const haInstaller = defineRule({
  meta: {
    id: 'ha-installer',
    catalogId: 'HB-HA-INSTALLER',
    title: 'Several docker-compose nodes must share private_key.pem, secretkey and the CSRF key',
    appliesTo: ['harbor-yml'],
    defaultSeverity: 'warning',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        "Reports a harbor.yml that uses both `external_database` and `external_redis`, the layout of several installer (docker-compose) nodes behind one load balancer, with one checklist of the state that `./prepare` creates per node and that must be the same everywhere: the token-signing key, the data-encryption key, the CSRF key, `cache.enabled`, `external_url` and the blob storage. It cannot see the other nodes, so it reports once, on `external_database`. Suppress it on a single node that merely uses an external database.",
      why:
        "Each node signs tokens with its own `<data_volume>/secret/core/private_key.pem`. With round-robin DNS or a load balancer, a token from node A reaches node B: Harbor 2.x answers `401 Unauthorized` and core logs `parse token error, crypto/rsa: verification error`; Harbor 1.x's registry logs `token signed by untrusted key with ID`. A different `<data_volume>/secret/keys/secretkey` silently decrypts the shared database's stored passwords (replication endpoints, OIDC client secret, scanners) to garbage. The CSRF key is random per `./prepare`, so UI actions fail with `CSRF token invalid` when a request lands on another node.",
      example: { language: 'yaml', code: 'hostname: harbor.example.com\nexternal_url: https://harbor.example.com\nharbor_admin_password: Harbor12345\ndata_volume: /data\nexternal_database:\n  harbor:\n    host: pg.example.com\n    port: 5432\n    db_name: registry\n    username: harbor\n    password: change-me\n    ssl_mode: require\nexternal_redis:\n  host: redis.example.com:6379\n_version: 2.11.0' },
      fix:
        "After installing the first node, copy its `<data_volume>/secret/core/private_key.pem` and `<data_volume>/secret/keys/secretkey` to every other node before their first `./prepare`; use load-balancer session affinity for the UI, or copy the same `CSRF_KEY` into every node's `common/config/core/env` after each `./prepare` (harbor.yml has no key for it); keep `cache`, `external_url` and `storage_service` identical, with blobs in object storage or on a shared mount. `core_secret`, `jobservice_secret` and the registry password are per node and need not match.",
      versions: 'Harbor 2.0 and later verify tokens in core with its own key; Harbor 1.x verifies them in the registry against `root.crt`. The CSRF key exists from Harbor 2.0.',
      evidence: ['goharbor/harbor make/photon/prepare/utils/core.py:25, utils/cert.py', 'make/harbor.yml.tmpl:305-313', 'goharbor/harbor#3236, #1289, #12229, #15313, PR #17498'],
    },
  },
  check(context) {
    const installer = context.installer;
    if (!installer) return;
    const database = installer.getMap('external_database');
    const redis = installer.getMap('external_redis');
    if (!database || !redis || database.entries().length === 0 || redis.entries().length === 0) return;
    const version = installerVersion(installer);
    const v1 = (compareVersions(version, '2.0.0') ?? 0) < 0;
    const dataVolume = installer.literalString('data_volume')?.value ?? '/data';
    const checks: string[] = [];
    checks.push(
      v1
        ? `(1) the same ${dataVolume}/secret/core/private_key.pem and secret/registry/root.crt, or the registry logs "token signed by untrusted key with ID" and docker push fails with 401`
        : `(1) the same ${dataVolume}/secret/core/private_key.pem, or a token issued by one node gets 401 Unauthorized on another ("crypto/rsa: verification error" in the core log)`,
    );
    checks.push(`(2) the same ${dataVolume}/secret/keys/secretkey, or passwords stored in the shared database (replication, OIDC, scanners) decrypt to garbage on the other nodes`);
    if (!v1) checks.push('(3) session affinity on the load balancer, or the same CSRF_KEY copied into common/config/core/env after every ./prepare (it is random per prepare), or UI actions fail with "CSRF token invalid"');
    const cache = booleanOf(installer.get('cache.enabled'));
    if (cache !== undefined) checks.push(`(${checks.length + 1}) cache.enabled: ${cache} on every node`);
    checks.push(`(${checks.length + 1}) the same external_url`);
    checks.push(
      installer.getMap('storage_service')
        ? `(${checks.length + 1}) the same storage_service`
        : `(${checks.length + 1}) shared blob storage: storage_service is not set, so blobs go to ${dataVolume}/registry on each node, which must then be one shared mount`,
    );
    context.report({
      span: installer.get('external_database')!.keySpan,
      message: `external_database and external_redis mean several nodes: each one's ./prepare makes its own keys, so logins fail across nodes`,
      detail: `external_database and external_redis mean several Harbor nodes share one database; every node's ./prepare creates its own keys, so check on all nodes:\n\n${checks.map((c) => `- ${c.replace(/^\(\d+\) /, '')}`).join('\n')}`,
    });
  },
});
