/**
 * What a URL in a script asks of Harbor: the 2.x API (`/api/v2.0/…`), the 1.x
 * API that 2.0 removed, the token service, or the registry API (`/v2/…`); the
 * operation it names and the authentication it takes.
 */

export type HarborEndpoint =
  | { kind: 'api-v2'; path: string; index: number }
  | { kind: 'api-v1'; path: string; index: number; resource: string }
  | { kind: 'token-service'; path: string; index: number }
  | { kind: 'registry'; path: string; index: number };

/** Top-level resources of Harbor 1.x's `/api/` (removed in 2.0), from its swagger. */
const V1_RESOURCES = new Set([
  'projects', 'repositories', 'search', 'users', 'usergroups', 'systeminfo', 'statistics', 'labels', 'registries', 'replication', 'targets',
  'policies', 'jobs', 'logs', 'configurations', 'configs', 'health', 'ping', 'scanners', 'system', 'quotas', 'retentions', 'email', 'ldap', 'scans',
]);

/** Where a URL (as written, variables expanded where known) points in Harbor, if anywhere. */
export function classifyUrl(url: string): HarborEndpoint | undefined {
  const v2 = /\/api\/v2\.0(\/[^\s?#"']*|$|(?=[?#]))/.exec(url);
  if (v2) return { kind: 'api-v2', path: v2[1] || '/', index: v2.index };
  const token = /\/service\/token\b/.exec(url);
  if (token) return { kind: 'token-service', path: '/service/token', index: token.index };
  // Harbor sits at the domain root: `/api/` must follow the host (written, a variable, or a template).
  const v1 = /(?:^|:\/\/[^/\s"']+|\$\{?\w+\}?|\}\})(\/api\/([a-z]+)(?:\/[^\s?#"']*)?)/.exec(url);
  if (v1 && V1_RESOURCES.has(v1[2])) return { kind: 'api-v1', path: v1[1], index: v1.index + v1[0].length - v1[1].length, resource: v1[2] };
  const registry = /\/v2\/[^\s?#"']*/.exec(url);
  if (registry && !/\/api\/?$/.test(url.slice(0, registry.index))) return { kind: 'registry', path: registry[0], index: registry.index };
  return undefined;
}

/**
 * The one-to-one 2.x path of a 1.x API path, or undefined when the call
 * changed shape (repositories and tags became artifacts under projects).
 */
export function v2PathFor(v1Path: string): string | undefined {
  const rest = v1Path.replace(/^\/api/, '');
  const oneToOne = /^\/(search|users|usergroups|systeminfo|statistics|labels|registries|health|ping|scanners|quotas|configurations|system\/gc|replication\/policies|replication\/executions)(\/|$)/;
  if (oneToOne.test(rest)) return `/api/v2.0${rest}`;
  if (/^\/projects(\/[^/]+(\/(members|metadatas|summary|webhook\/policies|immutabletagrules|scanner)(\/.*)?)?)?\/?$/.test(rest)) return `/api/v2.0${rest}`;
  return undefined;
}

export interface ApiOperation {
  /** What the call does, in Harbor's swagger words. */
  name: string;
  auth: string;
}

const API_AUTH =
  "Basic authentication: a user, or a robot account (`robot$…` and its secret, sent as `-u 'robot$name:secret'`). Not the Bearer token from `/service/token`, which is a registry token and only valid on `/v2/`. With `auth_mode: oidc_auth`, an OIDC provider's ID token is also accepted as Bearer.";

/** Path patterns of Harbor 2.x's API, most specific first; `*` is one segment. */
const OPERATIONS: [RegExp, Record<string, string>][] = [
  [/^\/projects\/[^/]+\/repositories\/.+\/artifacts\/[^/]+\/tags\/[^/]+$/, { DELETE: 'delete a tag', GET: 'get a tag' }],
  [/^\/projects\/[^/]+\/repositories\/.+\/artifacts\/[^/]+\/tags$/, { GET: 'list the tags of an artifact', POST: 'create a tag' }],
  [/^\/projects\/[^/]+\/repositories\/.+\/artifacts\/[^/]+\/scan$/, { POST: 'scan an artifact' }],
  [/^\/projects\/[^/]+\/repositories\/.+\/artifacts\/[^/]+\/labels(\/[^/]+)?$/, { POST: 'add a label to an artifact', DELETE: 'remove a label from an artifact' }],
  [/^\/projects\/[^/]+\/repositories\/.+\/artifacts\/[^/]+$/, { GET: 'get an artifact', DELETE: 'delete an artifact (all its tags)' }],
  [/^\/projects\/[^/]+\/repositories\/.+\/artifacts$/, { GET: 'list the artifacts of a repository', POST: 'copy an artifact' }],
  [/^\/projects\/[^/]+\/repositories\/[^/]+$/, { GET: 'get a repository', PUT: 'update a repository', DELETE: 'delete a repository' }],
  [/^\/projects\/[^/]+\/repositories$/, { GET: 'list the repositories of a project' }],
  [/^\/projects\/[^/]+\/robots(\/[^/]+)?$/, { GET: 'list or get project robot accounts (deprecated, use /robots)', POST: 'create a project robot account' }],
  [/^\/projects\/[^/]+\/members(\/[^/]+)?$/, { GET: 'list or get project members', POST: 'add a project member', PUT: 'change a member role', DELETE: 'remove a project member' }],
  [/^\/projects\/[^/]+$/, { GET: 'get a project', PUT: 'update a project', DELETE: 'delete a project', HEAD: 'check a project name exists' }],
  [/^\/projects$/, { GET: 'list projects', POST: 'create a project', HEAD: 'check a project name exists' }],
  [/^\/robots(\/[^/]+)?$/, { GET: 'list or get robot accounts', POST: 'create a robot account', PUT: 'update a robot account', PATCH: 'refresh a robot secret', DELETE: 'delete a robot account' }],
  [/^\/repositories$/, { GET: 'list all repositories' }],
  [/^\/search$/, { GET: 'search projects and repositories' }],
  [/^\/users(\/.*)?$/, { GET: 'list or get users', POST: 'create a user', PUT: 'update a user', DELETE: 'delete a user' }],
  [/^\/system\/gc(\/.*)?$/, { GET: 'garbage collection history or schedule', POST: 'schedule garbage collection', PUT: 'update the GC schedule' }],
  [/^\/replication\/.*$/, { GET: 'replication policies and executions', POST: 'create a replication policy or start one', PUT: 'update a replication policy', DELETE: 'delete a replication policy' }],
  [/^\/systeminfo(\/.*)?$/, { GET: 'get system information' }],
  [/^\/health$/, { GET: 'check component health (no authentication needed)' }],
  [/^\/ping$/, { GET: 'ping (no authentication needed)' }],
  [/^\/statistics$/, { GET: 'get project and repository statistics' }],
  [/^\/audit-logs$/, { GET: 'list audit logs' }],
];

export function describeEndpoint(endpoint: HarborEndpoint, method: string | undefined): ApiOperation {
  const verb = (method ?? 'GET').toUpperCase();
  switch (endpoint.kind) {
    case 'token-service':
      return { name: 'Harbor token service: issues registry Bearer tokens for `/v2/` requests', auth: 'Basic authentication (user or robot account) or anonymous for public projects. The token it returns works on `/v2/` only, not on `/api/v2.0/`.' };
    case 'registry':
      return { name: `${verb} ${endpoint.path}: the registry (OCI distribution) API`, auth: "A Bearer token from `/service/token` (what `docker login` and `docker push` use); Harbor also accepts Basic authentication here." };
    case 'api-v1': {
      const v2 = v2PathFor(endpoint.path);
      return { name: `${verb} ${endpoint.path}: Harbor 1.x API, removed in Harbor 2.0 (404)${v2 ? `; in 2.x: \`${v2}\`` : ''}`, auth: API_AUTH };
    }
    case 'api-v2': {
      const path = endpoint.path.replace(/\/$/, '') || '/';
      for (const [pattern, operations] of OPERATIONS) {
        if (!pattern.test(path)) continue;
        const name = operations[verb] ?? Object.values(operations)[0];
        return { name: `${verb} /api/v2.0${path}: ${name}`, auth: API_AUTH };
      }
      return { name: `${verb} /api/v2.0${path}: Harbor 2.x API`, auth: API_AUTH };
    }
  }
}
