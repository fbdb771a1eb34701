import { v2PathFor } from '../scripts/harborApi';
import type { HttpRequest } from '../scripts/model';
import { defineRule, type Report } from './rule';

/** Where `/api/` of a 1.x path is written in the request's URL, when it is written literally. */
function apiSlashOffset(request: HttpRequest): number | undefined {
  const resource = request.endpoint.kind === 'api-v1' ? request.endpoint.resource : '';
  const at = request.url.written.search(new RegExp(`/api/${resource}\\b`));
  if (at < 0) return undefined;
  const offsets = request.url.offsets.slice(at, at + 5);
  return offsets.length === 5 && offsets.every((offset, i) => offset >= 0 && (i === 0 || offset === offsets[i - 1] + 1)) ? offsets[4] + 1 : undefined;
}

const GUIDANCE: Record<string, string> = {
  repositories: '`/api/repositories?project_id=N` became `/api/v2.0/projects/{project_name}/repositories`, and `/api/repositories/{p}/{r}/tags` became `/api/v2.0/projects/{p}/repositories/{r}/artifacts` (tags are listed per artifact; a repository name with `/` is encoded as `%252F`).',
  logs: '`/api/logs` became `/api/v2.0/audit-logs` (and `/api/v2.0/projects/{project_name}/logs`).',
  jobs: 'Replication and scan jobs moved under `/api/v2.0/replication/executions` and `/api/v2.0/projects/{p}/repositories/{r}/artifacts/{ref}/scan`.',
  targets: '`/api/targets` (registry endpoints) became `/api/v2.0/registries`.',
  policies: '`/api/policies/replication` became `/api/v2.0/replication/policies`.',
};

export const apiV1Path = defineRule({
  meta: {
    id: 'api-v1-path',
    catalogId: 'HB-API-V1-PATH',
    title: "A script calls Harbor 1.x's API, removed in Harbor 2.0",
    appliesTo: ['harbor-client'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        'Reports requests to Harbor 1.x API paths without the `v2.0` version segment (`/api/projects`, `/api/repositories`, `/api/search`, `/api/systeminfo`, …) in scripts, CI steps, Ansible, Python and PowerShell. `/api/…` right after the host only counts in files that name Harbor somewhere, since other products (Grafana, SonarQube) have their own `/api/search` and `/api/projects`; `/api/chartrepo` (served by Harbor 2.x up to 2.7) is not reported.',
      why:
        'Harbor 2.0 replaced the unversioned 1.x API with `/api/v2.0/…`; the old paths answer `404 Not Found` (`{"errors":[{"code":"NOT_FOUND","message":"path /api/projects was not found"}]}` or the portal\'s HTML), so a script written for 1.x fails after the upgrade. Repository and tag calls also changed shape: tags became artifacts under projects.',
      example: { language: 'sh', code: 'curl -u "$HARBOR_USER:$HARBOR_PASSWORD" "https://harbor.example.com/api/projects?name=team"' },
      fix:
        'Use the 2.x path. Where the call kept its shape (projects, search, users, system info, statistics, labels, registries, GC, replication policies), the quick fix inserts `v2.0/` after `/api/`; it is unsafe because a Harbor still on 1.x would then answer 404, and response fields changed in places. Repository, tag and log calls changed shape, so the detail says what replaces them.',
      versions: 'Harbor 2.0 and later (the 1.x API was removed in 2.0.0).',
      evidence: [
        'goharbor/harbor PR #10727 (2.0: the legacy API moves to /api/v2.0; "there is no 1.0 anymore")',
        'goharbor/harbor#14189 (after upgrading to 2.1, `/api/projects?name=…` no longer works), #20467 (1.10 to 2.6: repository and tag paths answer NOT_FOUND)',
        'nolte/terraform-provider-harbor#7 (2.0 breaking change: REST APIs take the /api/v2.0 prefix)',
      ],
    },
  },
  check({ script, report }) {
    if (!script) return;
    for (const request of script.requests) {
      if (request.endpoint.kind !== 'api-v1') continue;
      const v2 = v2PathFor(request.endpoint.path);
      const insertAt = apiSlashOffset(request);
      let fixes: Report['fixes'];
      if (v2 && insertAt !== undefined) fixes = [{ title: 'Call the 2.x API: insert v2.0/ after /api/', safety: 'unsafe', edits: [{ span: { start: insertAt, end: insertAt }, newText: 'v2.0/' }] }];
      else fixes = [{ title: v2 ? `Call ${v2} instead` : 'Rewrite the call for the 2.x API (see the details)', safety: 'display-only', edits: [] }];
      const path = request.endpoint.path.length > 40 ? `${request.endpoint.path.slice(0, 39)}…` : request.endpoint.path;
      report({
        span: request.url.span,
        message: `${request.method ?? 'GET'} ${path} is Harbor 1.x's API, removed in 2.0: Harbor 2.x answers 404 Not Found`,
        detail: `Harbor 2.0 serves its API under \`/api/v2.0/\` only. ${v2 ? `This call maps one-to-one to \`${v2}\`.` : (GUIDANCE[request.endpoint.resource] ?? 'This call changed shape in 2.0; see the API reference at `https://<harbor>/devcenter-api-2.0`.')}`,
        fixes,
      });
    }
  },
});
