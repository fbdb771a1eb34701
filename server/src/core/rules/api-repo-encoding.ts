import type { HttpRequest } from '../scripts/model';
import type { TextEdit } from '../types';
import { defineRule, type Report } from './rule';

interface RepoSegment {
  /** Offsets into `url.written`. */
  start: number;
  end: number;
  text: string;
}

/** The `{repository_name}` segment of `/api/v2.0/projects/{p}/repositories/{r}[/artifacts…]`, as written. */
function repositorySegment(request: HttpRequest): RepoSegment | undefined {
  const written = request.url.written;
  const marker = /\/api\/v2\.0\/projects\/[^/?#\s]+\/repositories\//.exec(written);
  if (!marker) return undefined;
  const start = marker.index + marker[0].length;
  let end = written.slice(start).search(/[?#\s"']/);
  end = end < 0 ? written.length : start + end;
  const artifacts = written.slice(start, end).search(/\/artifacts(\/|$)/);
  if (artifacts >= 0) end = start + artifacts;
  return { start, end, text: written.slice(start, end) };
}

export const apiRepoEncoding = defineRule({
  meta: {
    id: 'api-repo-encoding',
    catalogId: 'HB-API-REPO-ENCODING',
    title: 'A repository name with / in an API path is not encoded twice',
    appliesTo: ['harbor-client'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        'Reports `/api/v2.0/projects/{project}/repositories/{repository}/…` where the repository name contains a literal `/` or a single-encoded `%2F`. Names that come from a variable the script does not assign are unknown and not reported.',
      why:
        'Harbor\'s API takes a repository name that contains `/` (`team/app` inside project `library`) URL-encoded twice: `team%252Fapp`. A literal `/` makes the router see more path segments, and a single `%2F` is decoded on the way in (by nginx or the router) and becomes `/` again, so both answer `404 Not Found` (`path /api/v2.0/projects/library/repositories/team/app/artifacts was not found`) or reach another resource.',
      example: { language: 'sh', code: 'curl -u "$ROBOT_NAME:$ROBOT_SECRET" "https://harbor.example.com/api/v2.0/projects/library/repositories/team/app/artifacts"' },
      fix:
        'Write the name with `%252F` for each `/`: `…/repositories/team%252Fapp/artifacts`. The quick fix rewrites literal `/` and `%2F` inside the repository name; for a name held in a variable, encode it before the call (`${REPO//\\//%252F}` in bash, `quote(quote(name, safe=""), safe="")` in Python).',
      versions: 'Harbor 2.0 and later.',
      evidence: ['goharbor/harbor#10860 and PR #11436 (2.0: only encoded repository names are accepted)', 'goharbor/harbor#12224, #15508, #18355, #21639 (single %2F answers 404; maintainers: use %252F)', 'goharbor/harbor api/v2.0/swagger.yaml (repository_name: "a/b -> a%252Fb")'],
    },
  },
  check({ script, report }) {
    if (!script) return;
    const seen = new Set<number>();
    for (const request of script.requests) {
      if (request.endpoint.kind !== 'api-v2' || seen.has(request.url.span.start)) continue;
      const segment = repositorySegment(request);
      if (!segment) continue;
      const edits: TextEdit[] = [];
      let unknown = false;
      for (let i = segment.start; i < segment.end; i++) {
        const char = request.url.written[i];
        const offset = request.url.offsets[i];
        const single = /^%2f/i.test(request.url.written.slice(i, i + 3)) && !/^%252f/i.test(request.url.written.slice(i, i + 5));
        if (char !== '/' && !single) continue;
        if (offset < 0) {
          unknown = true;
          continue;
        }
        edits.push(char === '/' ? { span: { start: offset, end: offset + 1 }, newText: '%252F' } : { span: { start: offset + 1, end: offset + 1 }, newText: '25' });
        if (single) i += 2;
      }
      if (edits.length === 0 && !unknown) continue;
      seen.add(request.url.span.start);
      const slash = /\//.test(segment.text);
      const fixes: Report['fixes'] =
        edits.length > 0 && !unknown ? [{ title: 'Encode the / in the repository name twice: %252F', safety: 'safe', edits }] : [{ title: 'Encode each / in the repository name as %252F', safety: 'display-only', edits: [] }];
      report({
        span: request.url.span,
        message: `Repository name ${slash ? 'with a literal /' : 'with a single %2F'} in this API path: Harbor wants %252F and answers 404 Not Found`,
        detail: 'In `/api/v2.0/projects/{project}/repositories/{repository}/…`, Harbor reads the repository name as one path segment, so a name that contains `/` (such as `team/app`) must be URL-encoded twice: `team%252Fapp`. A literal `/` makes the path longer than the route and a single `%2F` is decoded before routing; both answer `404 Not Found` or reach another resource. The quick fix writes the double encoding for a literal name.',
        fixes,
      });
    }
  },
});
