/**
 * Hover on key or certificate material written inline in YAML (`core.tokenKey`,
 * `core.tokenCert`, and any other PEM block scalar): type, size, libtrust key ID,
 * RFC 7638 thumbprint, subject and expiry. Never the key itself.
 */
import { isMap } from 'yaml';
import { inspectPem, isLegacyChartTokenKey, type InspectedObject } from '../pki';
import type { YamlEntry, YamlMapView } from '../yaml/yamlModel';
import { rootMaps } from '../yaml/yamlModel';
import { contains, type HoverProvider, type HoverResult } from './hover';

const MAX_DEPTH = 24;

function findPemEntry(view: YamlMapView, offset: number, depth = 0): YamlEntry | undefined {
  if (depth > MAX_DEPTH || !contains(view.span, offset)) return undefined;
  for (const entry of view.entries()) {
    if (entry.node && isMap(entry.node)) {
      const inner = view.getMap([entry.key]);
      const found = inner && findPemEntry(inner, offset, depth + 1);
      if (found) return found;
      continue;
    }
    if (!contains(entry.keySpan, offset) && !contains(entry.valueSpan, offset)) continue;
    if (!entry.generated && typeof entry.value === 'string' && entry.value.includes('-----BEGIN ')) return entry;
  }
  return undefined;
}

function keyLine(o: InspectedObject): string[] {
  const k = o.key;
  if (!k) return [];
  const type =
    k.type === 'rsa' ? `RSA ${k.bits ?? '?'} bits` : k.type === 'ec' ? `EC ${k.curve ?? '?'}` : k.type === 'rsa-pss' ? `RSA-PSS ${k.bits ?? '?'} bits` : k.curve ?? k.type;
  const lines = [`- Key: ${type}`];
  if (k.keyId) lines.push(`- libtrust key ID: \`${k.keyId}\``);
  if (k.thumbprint) lines.push(`- RFC 7638 thumbprint: \`${k.thumbprint}\``);
  if (isLegacyChartTokenKey(k)) lines.push('- ⚠ This is the token key pair goharbor/harbor-helm ≤ 1.11 shipped: its private key is public.');
  return lines;
}

const FORMAT_NAMES: Record<string, string> = {
  pkcs1: 'PKCS#1',
  pkcs8: 'PKCS#8',
  sec1: 'SEC1',
  spki: 'SubjectPublicKeyInfo',
  x509: 'X.509',
  'pkcs8-encrypted': 'encrypted PKCS#8',
  'legacy-encrypted': 'encrypted (Proc-Type)',
};

function describe(o: InspectedObject, now: Date): string[] {
  const label = o.label ? ` (\`${o.label}\`)` : '';
  const format = FORMAT_NAMES[o.format] ?? o.format;
  const out: string[] = [];
  if (o.kind === 'certificate' && o.certificate) {
    const c = o.certificate;
    out.push(`**Certificate**${label}`);
    out.push(`- Subject: ${c.subject === '' ? '(empty)' : c.subject}`);
    if (c.issuer !== c.subject) out.push(`- Issuer: ${c.issuer === '' ? '(empty)' : c.issuer}`);
    const expired = c.notAfter.getTime() < now.getTime();
    out.push(`- Valid until: ${c.notAfter.toISOString().slice(0, 10)}${expired ? ' (expired)' : ''}`);
    out.push(...keyLine(o));
  } else if (o.kind === 'private-key') {
    out.push(`**Private key**, ${format}${label}`);
    if (o.needsPassword) out.push('- Encrypted: not described without its password.');
    out.push(...keyLine(o));
  } else if (o.kind === 'public-key') {
    out.push(`**Public key**, ${format}${label}`);
    out.push(...keyLine(o));
  } else {
    out.push(`**PEM block**${label}`);
  }
  if (o.problem) out.push(`- Problem: ${o.problem}`);
  return out;
}

export function inlinePemHoverText(value: string, now = new Date()): string {
  const objects = inspectPem(value, { allowIndent: true });
  if (objects.length === 0) return 'No readable PEM block.';
  return objects.map((o) => describe(o, now).join('\n')).join('\n\n');
}

export const inlinePemHover: HoverProvider = {
  id: 'inline-pem',
  appliesTo: ['helm-values', 'harbor-yml'],
  hover(context) {
    const views: YamlMapView[] = [...context.helmValues.map((t) => t.values), ...(context.installer ? [context.installer] : []), ...(context.yaml ? rootMaps(context.yaml) : [])];
    for (const view of views) {
      const entry = findPemEntry(view, context.offset);
      if (!entry) continue;
      const result: HoverResult = { span: entry.keySpan, markdown: `**\`${entry.path.join('.')}\`**: inline key material\n\n${inlinePemHoverText(String(entry.value))}` };
      if (contains(entry.valueSpan, context.offset)) result.span = { start: entry.valueSpan.start, end: entry.valueSpan.end };
      return result;
    }
    return undefined;
  },
};
