/**
 * Hover on a certificate or key path (harbor.yml `https.*`, nginx
 * `ssl_certificate*` / `proxy_ssl_certificate*`) or on inline PEM (chart
 * `internalTLS.*`, TLS Secrets): what the file holds, with the libtrust key ID
 * (the form registries print in "token signed by untrusted key with ID") and
 * the RFC 7638 thumbprint. Never key material.
 */
import type { InspectedObject } from '../pki';
import { collectTlsSites, loadMaterial, materialEnvironment, unreadableReason, type MaterialRef } from '../rules/support/tls-material';
import { contains, type HoverProvider } from './hover';

function describe(o: InspectedObject, index: number): string[] {
  const key = o.key;
  const keyType = key ? [key.type.toUpperCase(), key.curve ?? (key.bits ? `${key.bits} bits` : undefined)].filter(Boolean).join(' ') : '';
  const what = o.kind === 'certificate' ? 'Certificate' : o.kind === 'private-key' ? 'Private key' : o.kind === 'public-key' ? 'Public key' : 'Block';
  const lines = [`**${index + 1}. ${what}**${keyType ? ` (${keyType})` : ''}${o.encrypted ? ', encrypted' : ''}`];
  if (o.certificate) {
    lines.push(`- subject: ${o.certificate.subject || '(empty)'}`);
    if (o.certificate.sans.length > 0) lines.push(`- SANs: ${o.certificate.sans.slice(0, 10).join(', ')}${o.certificate.sans.length > 10 ? ', …' : ''}`);
    lines.push(`- valid: ${o.certificate.notBefore.toISOString().slice(0, 10)} to ${o.certificate.notAfter.toISOString().slice(0, 10)}`);
  }
  if (key?.keyId) lines.push(`- key ID (libtrust): \`${key.keyId}\``);
  if (key?.thumbprint) lines.push(`- thumbprint (RFC 7638): \`${key.thumbprint}\``);
  if (o.needsPassword) lines.push('- encrypted: its key ID needs the password');
  if (o.problem) lines.push(`- problem: ${o.problem}`);
  return lines;
}

/** `/data/cert: ./cert` for `/data/cert/server.crt`: the folder, mapped to a same-named folder here. */
function mappingExample(written: string): string {
  const folder = written.replace(/\\/g, '/').replace(/\/[^/]*$/, '') || '/';
  const last = folder.split('/').pop() || 'certs';
  return `${folder}: ./${last}`;
}

export const keyIdentityHover: HoverProvider = {
  id: 'key-identity',
  appliesTo: ['harbor-yml', 'nginx', 'helm-values', 'kubernetes-tls-secret'],
  async hover(context) {
    let target: MaterialRef | undefined;
    for (const site of collectTlsSites(context)) {
      for (const ref of [site.cert, site.key]) if (ref && contains(ref.span, context.offset)) target = ref;
    }
    if (!target) return undefined;
    const loaded = await loadMaterial(materialEnvironment(context), target);
    let title = target.kind === 'file' ? `\`${target.path}\`` : 'Inline value';
    if (loaded.ok && loaded.readFrom) {
      title += loaded.readFrom.via === 'mapping' ? `, read from \`${loaded.readFrom.path}\` (through \`paths:\`)` : `, read from \`${loaded.readFrom.path}\` (found by name in the workspace, nearest this config)`;
    }
    if (!loaded.ok && loaded.problem !== 'decode' && target.kind === 'file') {
      return {
        span: target.span,
        markdown: `${title} could not be read here: ${unreadableReason(loaded)}, so it was not checked. If it is a path on the Harbor or proxy host, map it to a copy here with \`paths:\` in \`.harbor-audit.yaml\` (\`${mappingExample(target.written)}\`), the \`harborAudit.paths\` setting, or \`--path-map\` on the command line.`,
      };
    }
    if (!loaded.ok) return { span: target.span, markdown: `${title}: could not be read (${loaded.message}).` };
    const objects = loaded.objects.filter((o) => o.kind !== 'unknown' || o.problem).slice(0, 8);
    if (objects.length === 0) return { span: target.span, markdown: `${title}: no key or certificate found.` };
    const parts = [title, ''];
    objects.forEach((o, i) => parts.push(...describe(o, i), ''));
    return { span: target.span, markdown: parts.join('\n').trimEnd() };
  },
};
