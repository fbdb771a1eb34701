/**
 * Hover in nginx files: what Harbor needs from the proxy directives the rules
 * talk about, and what each of Harbor's request paths is for on `location` lines.
 */
import type { NginxDirective } from '../nginx/ast';
import { locationPattern } from '../nginx/model';
import { contains, type HoverProvider } from './hover';

interface DirectiveFact {
  harbor: string;
  rule?: string;
}

// From research/harbor-rules.md §2.4-2.6 and the HB-PROXY-* entries (Harbor's nginx templates).
const DIRECTIVES: Record<string, DirectiveFact> = {
  client_max_body_size: {
    harbor: 'Largest request body nginx accepts; default `1m`. Image layers go up in `PATCH`/`PUT /v2/<repo>/blobs/uploads/<id>` and are often larger than a gigabyte, so anything but `0` (no limit) ends in `413 Request Entity Too Large`. Harbor\'s own nginx sets `client_max_body_size 0;` ("disable any limits to avoid HTTP 413 for large image uploads").',
    rule: 'proxy-body-size',
  },
  proxy_set_header: {
    harbor: 'Headers sent to Harbor. All-or-nothing: a level that sets any `proxy_set_header` drops every one inherited from outside it. Harbor needs `Host $http_host` (the token realm and upload `Location`s are built from it; `$host` drops a non-default port) and `X-Forwarded-Proto` with the scheme the client used (`$scheme` at the TLS terminator), or uploads are sent to `http://` and the next `PUT` gets 401. Don\'t set `Authorization`: Harbor needs the client\'s own.',
  },
  proxy_request_buffering: {
    harbor: 'Default `on`: nginx writes the whole request body to disk before passing it on. For layer uploads that means gigabytes of temp space and time, and 504s on big pushes. Harbor\'s nginx sets `off` in every location; it only takes effect for docker\'s chunked uploads with `proxy_http_version 1.1`.',
    rule: 'proxy-streaming',
  },
  proxy_buffering: {
    harbor: 'Default `on`: responses (layer downloads) are spooled to `proxy_temp_path`. Harbor\'s nginx sets `off` in every location.',
    rule: 'proxy-streaming',
  },
  proxy_http_version: {
    harbor: 'Default `1.0`. Harbor\'s nginx sets `1.1` at `http` level: "this is necessary for us to be able to disable request buffering in all cases" (with 1.0, chunked request bodies are buffered whatever `proxy_request_buffering` says).',
    rule: 'proxy-streaming',
  },
  proxy_read_timeout: {
    harbor: 'How long nginx waits between two reads from Harbor; default `60s`. Committing a large layer can take longer, so `docker push` gets `504 Gateway Timeout`. Harbor\'s nginx uses `900` on `/v2/`.',
    rule: 'proxy-timeouts',
  },
  proxy_send_timeout: {
    harbor: 'How long nginx waits between two writes to Harbor; default `60s`. Harbor\'s nginx uses `900` on `/v2/`.',
    rule: 'proxy-timeouts',
  },
  chunked_transfer_encoding: {
    harbor: 'Default `on`, which Harbor needs: docker sends layers chunked, and `off` answers them with `411 Length Required` (Harbor\'s HTTPS template sets `on`, "required to avoid HTTP 411"). nginx older than 1.3.9 cannot take chunked uploads at all.',
    rule: 'proxy-chunked',
  },
  proxy_pass: {
    harbor: 'Where requests go. A front proxy should send everything (`location /`) to Harbor\'s nginx, or `/v2/`, `/service/`, `/api/`, `/c/` to core and `/` to the portal. Never to the registry (`registry:5000`): that skips core\'s auth and permissions. Use Harbor\'s HTTPS port if harbor.yml has an `https:` block: its HTTP port only redirects. `proxy_pass` is not inherited by nested locations.',
    rule: 'proxy-routes',
  },
};

interface PathFact {
  path: string;
  what: string;
}

// Harbor's routes (harbor nginx templates, chart ingress): longest first so `/service/notifications` wins over `/service/`.
const PATHS: PathFact[] = [
  { path: '/service/notifications', what: 'Registry → core event webhook. Internal only: Harbor\'s own nginx answers it with `return 404;` so outsiders cannot fake push events.' },
  { path: '/service/', what: 'Core\'s token service: `docker login` follows the `/v2/` challenge to `/service/token`. Must reach core, with `Host $http_host` so the realm matches.' },
  { path: '/v2/', what: 'The registry API (`docker push`/`pull`), served by core, which checks the token and proxies to the registry. Needs `client_max_body_size 0`, no request buffering with `proxy_http_version 1.1`, `proxy_read_timeout`/`proxy_send_timeout 900`, and `Host $http_host`.' },
  { path: '/v1/', what: 'The old Docker registry v1 API. Harbor does not serve it: its nginx answers `return 404;`.' },
  { path: '/api/', what: 'Harbor\'s REST API (`/api/v2.0/...`), served by core. Accepts Basic auth (robot accounts: `robot$name:secret`); bearer tokens from `/service/token` are not valid here.' },
  { path: '/c/', what: 'Core\'s session endpoints: portal login (`/c/login`), logout and the OIDC callback (`/c/oidc/callback`). Without it the portal cannot log in.' },
];

function pathFact(pattern: string): PathFact | undefined {
  const plain = pattern.replace(/^\^/, '').replace(/\$$/, '');
  return PATHS.find((fact) => plain === fact.path || plain === fact.path.replace(/\/$/, '') || (plain.startsWith(fact.path) && fact.path.endsWith('/')));
}

function directiveAt(directives: readonly NginxDirective[], file: string, offset: number): NginxDirective | undefined {
  const stack = [...directives];
  while (stack.length > 0) {
    const directive = stack.pop()!;
    if (directive.file !== file) continue;
    if (contains(directive.nameSpan, offset) || directive.args.some((arg) => contains(arg.span, offset))) return directive;
    if (directive.block && directive.blockSpan && contains(directive.blockSpan, offset)) stack.push(...directive.block);
  }
  return undefined;
}

export const nginxDirectivesHover: HoverProvider = {
  id: 'nginx-directives',
  appliesTo: ['nginx'],
  hover({ nginx, offset }) {
    if (!nginx || nginx.role === 'unrelated') return undefined;
    const directive = directiveAt(nginx.root.directives, nginx.root.path, offset);
    if (!directive) return undefined;
    if (directive.name === 'location') {
      const { pattern } = locationPattern(directive);
      const fact = pathFact(pattern);
      if (!fact) return undefined;
      const arg = directive.args[directive.args.length - 1];
      if (!contains(directive.nameSpan, offset) && !contains(arg.span, offset)) return undefined;
      return { span: { start: directive.nameSpan.start, end: arg.span.end }, markdown: `**Harbor \`${fact.path}\`**: ${fact.what}` };
    }
    const fact = DIRECTIVES[directive.name];
    if (!fact || !contains(directive.nameSpan, offset)) return undefined;
    const lines = [`**\`${directive.name}\`** in front of Harbor: ${fact.harbor}`];
    if (fact.rule) lines.push('', `Checked by \`${fact.rule}\`.`);
    return { span: directive.nameSpan, markdown: lines.join('\n') };
  },
};
