import { clip, listShort } from './support/message';
import { basename, dirname, isAbsolute, join, normalize, relative } from 'node:path/posix';
import { decodeBytes } from '../decode';
import { inspectBytes, matchKeyAndCertificate, type InspectedObject } from '../pki';
import type { FileAccess, Span } from '../types';
import { locateInstallerConfig } from '../yaml/harborYaml';
import { parseYaml, type YamlMapView } from '../yaml/yamlModel';
import { defineRule } from './rule';
import { documentDir, MAX_TLS_FILE_BYTES } from './support/tls-material';

/** Sibling installs looked at: `<dir>/../*\/harbor.yml`, at most this many. */
const MAX_SIBLINGS = 16;

interface NodeKeys {
  /** The install's folder. */
  dir: string;
  /** Path of its harbor.yml. */
  config: string;
  key?: { path: string; object: InspectedObject };
  rootCrt?: { path: string; certs: InspectedObject[] };
}

/** Where an install keeps its token key and root.crt, in the order prepare looks. */
function candidates(dir: string, dataVolume: string | undefined): { keys: string[]; roots: string[] } {
  const keys = [join(dir, 'common/config/core/private_key.pem'), join(dir, 'common/config/ui/private_key.pem')];
  const roots = [join(dir, 'common/config/registry/root.crt')];
  if (dataVolume) {
    // Only a data volume inside the install's folder is this node's: an absolute /data is the same path for every node here.
    const volume = isAbsolute(dataVolume) ? normalize(dataVolume) : normalize(join(dir, dataVolume));
    const rel = relative(dir, volume);
    if (!rel.startsWith('..') && !isAbsolute(rel)) {
      keys.unshift(join(volume, 'secret/core/private_key.pem'));
      roots.unshift(join(volume, 'secret/registry/root.crt'));
    }
  }
  return { keys, roots };
}

async function read(files: FileAccess, path: string): Promise<InspectedObject[] | undefined> {
  try {
    const result = await files.readFile(path, { maxBytes: MAX_TLS_FILE_BYTES });
    return result.ok ? inspectBytes(result.bytes, { fileName: path }) : undefined;
  } catch {
    return undefined;
  }
}

async function nodeKeys(files: FileAccess, dir: string, config: string, dataVolume: string | undefined): Promise<NodeKeys> {
  const node: NodeKeys = { dir, config };
  const { keys, roots } = candidates(dir, dataVolume);
  for (const path of keys) {
    const object = (await read(files, path))?.find((o) => o.kind === 'private-key' && o.key);
    if (object) {
      node.key = { path, object };
      break;
    }
  }
  for (const path of roots) {
    const certs = (await read(files, path))?.filter((o) => o.kind === 'certificate' && o.key);
    if (certs && certs.length > 0) {
      node.rootCrt = { path, certs };
      break;
    }
  }
  return node;
}

async function siblingInstalls(files: FileAccess, dir: string): Promise<{ dir: string; config: string; dataVolume?: string }[]> {
  let paths: string[] = [];
  try {
    paths = await files.glob(join(dirname(dir), '*', 'harbor.yml'));
  } catch {
    return [];
  }
  const siblings = [];
  for (const path of paths.map((p) => p.replace(/\\/g, '/')).filter((p) => dirname(p) !== dir).slice(0, MAX_SIBLINGS)) {
    const result = await files.readFile(path, { maxBytes: MAX_TLS_FILE_BYTES }).catch(() => undefined);
    if (!result?.ok) continue;
    const installer = locateInstallerConfig(parseYaml(decodeBytes(result.bytes).text));
    if (!installer) continue;
    siblings.push({ dir: dirname(path), config: path, dataVolume: dataVolumeOf(installer) });
  }
  return siblings;
}

function dataVolumeOf(installer: YamlMapView): string | undefined {
  return installer.literalString('data_volume')?.value;
}

const at0: Span = { start: 0, end: 0 };

export const tokenKeyDiffersBetweenNodes = defineRule({
  meta: {
    id: 'token-key-differs-between-nodes',
    catalogId: 'HB-TOKEN-KEY-SHARED',
    title: 'Harbor installs in this workspace sign tokens with different keys',
    appliesTo: ['harbor-yml'],
    defaultSeverity: 'error',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        "When a harbor.yml sits next to other Harbor installs (`<folder>/../*/harbor.yml`, as in a repository that keeps one folder per node), reads each install's token-signing key (`common/config/core/private_key.pem`, `common/config/ui/private_key.pem`, or `<data_volume>/secret/core/private_key.pem` when the data volume is inside the install's folder) and its `registry/root.crt`, and reports an error when the nodes' keys differ, with a related location at each key. It also reports a node whose `root.crt` does not hold its own private key's public key. Keys are compared by their libtrust key ID, the ID registries print; key material is never shown.",
      why:
        "Behind one load balancer, a token issued by one node and presented to another is rejected: Harbor 2.x core logs `parse token error, crypto/rsa: verification error` and `docker login`, `pull` and `push` get `401 Unauthorized` about half the time; Harbor 1.x registries log `token signed by untrusted key with ID: \"BASH:RNPJ:...\"`. Each `./prepare` run on its own node generates its own key, so nodes installed separately always disagree.",
      example: { language: 'yaml', code: '# node-a/harbor.yml, next to node-b/harbor.yml; each folder has its own\n# common/config/core/private_key.pem from running ./prepare separately\nhostname: harbor.example.com\nexternal_url: https://harbor.example.com\ndata_volume: /data\n_version: 2.11.0' },
      fix:
        "Pick one node's `private_key.pem` and `root.crt` and copy them to every node (`<data_volume>/secret/core/private_key.pem` and `<data_volume>/secret/registry/root.crt`, owner 10000:10000) before running `./prepare`, then restart Harbor on each node. Tokens issued before the change stop working within `token_expiration` (30 minutes by default). No automatic fix: the files are not in the checked document.",
      versions: 'All installer versions. Harbor 2.x verifies tokens in core with its own key; Harbor 1.10 and earlier verified them in the registry against root.crt.',
      evidence: ['goharbor/harbor#1289, #3236, #12229, #18773, #23799', 'harbor src/core/service/token/authutils.go:140-146', 'make/photon/prepare/utils/cert.py', 'examples/two-nodes'],
    },
  },
  async check(context) {
    const installer = context.installer;
    const dir = documentDir(context);
    if (!installer || !dir || !context.path) return;
    const own = await nodeKeys(context.files, dir, context.path, dataVolumeOf(installer));
    const anchor = installer.get('hostname')?.keySpan ?? installer.span;
    const name = (node: NodeKeys) => basename(node.dir) || node.dir;

    if (own.key && own.rootCrt) {
      const results = own.rootCrt.certs.map((cert) => matchKeyAndCertificate(own.key!.object, cert));
      if (results.every((r) => r.verdict === 'mismatch')) {
        context.report({
          span: anchor,
          message: `This node's root.crt does not match its token key: Harbor 1.x registries reject its tokens ("token signed by untrusted key")`,
          detail: `This node's ${relative(dir, own.rootCrt.path)} does not hold the public key of its own token key ${relative(dir, own.key.path)} (key ID ${own.key.object.key?.keyId ?? '?'}, root.crt key ID ${own.rootCrt.certs[0].key?.keyId ?? '?'}). Harbor 1.10 and earlier registries reject every token this node issues with "token signed by untrusted key with ID"; in 2.x the mismatch shows once root.crt is used to trust this node's tokens elsewhere.`,
          related: [
            { file: own.key.path, span: at0, message: `token key, key ID ${own.key.object.key?.keyId ?? '?'}`, text: '' },
            { file: own.rootCrt.path, span: at0, message: `root.crt, key ID ${own.rootCrt.certs[0].key?.keyId ?? '?'}`, text: '' },
          ],
        });
      }
    }

    if (!own.key?.object.key?.keyId) return;
    const ownId = own.key.object.key.keyId;
    const differing: NodeKeys[] = [];
    for (const sibling of await siblingInstalls(context.files, dir)) {
      const node = await nodeKeys(context.files, sibling.dir, sibling.config, sibling.dataVolume);
      const id = node.key?.object.key?.keyId;
      if (id && id !== ownId) differing.push(node);
    }
    if (differing.length === 0) return;
    const list = differing.map((node) => `${name(node)} (key ID ${node.key!.object.key!.keyId})`).join(', ');
    context.report({
      span: anchor,
      message: `This node's token key differs from ${listShort(differing.map((node) => clip(name(node), 30)))}: behind one load balancer docker login gets 401 Unauthorized`,
      detail: `This node signs tokens with a different key than ${list}: this node's key ID is ${ownId}. Behind one load balancer a token from one node is rejected by the other: Harbor 2.x core logs "crypto/rsa: verification error" and docker login, pull and push get 401 Unauthorized; Harbor 1.x registries log "token signed by untrusted key with ID". Copy one private_key.pem (and root.crt) to every node.`,
      related: [
        { file: own.key.path, span: at0, message: `this node's token key, key ID ${ownId}`, text: '' },
        ...differing.map((node) => ({ file: node.key!.path, span: at0, message: `${name(node)}'s token key, key ID ${node.key!.object.key!.keyId}`, text: '' })),
      ],
    });
  },
});
