import { isPair, isScalar, type Node, type Pair } from 'yaml';
import { ansibleCredentialNames, pythonCredentialNames, shellCredentialNames } from '../scripts/credentials';
import type { HttpRequest, ScriptModel } from '../scripts/model';
import { spanToFile } from '../scripts/sources';
import type { LineIndex } from '../text';
import type { TextEdit } from '../types';
import { defineRule, type Report } from './rule';
import { clipPath } from './support/message';

/** A short form of the request for the message: `DELETE /api/v2.0/projects/…/tags/v1`. */
export function requestLabel(request: HttpRequest): string {
  let path = `/api/v2.0${request.endpoint.path}`;
  if (request.endpoint.kind !== 'api-v2') path = request.endpoint.path;
  return `${request.method ?? 'GET'} ${clipPath(path)}`;
}

const DETAIL = [
  "Harbor's API (`/api/v2.0/…`) authenticates with **Basic** credentials: a user, or a robot account sent as `robot$name:secret`. The Bearer tokens that `/service/token` issues are *registry* tokens: Harbor checks them only on `/v2/…` (the registry API that `docker push` uses), so the same token on the API answers `401 Unauthorized`, however many permissions the robot has.",
  '',
  'The one exception: with `auth_mode: oidc_auth`, Harbor also accepts an ID token from the OIDC provider as Bearer on the API. If that is what this token is, suppress this finding.',
  '',
  'Evidence: goharbor/harbor#20738 (a robot deleting a tag with a Bearer token gets 401; the maintainers answer to use Basic auth), `src/server/middleware/security/v2_token.go` (Bearer tokens only on `/v2`), `api/v2.0/swagger.yaml` (basic security only).',
].join('\n');

function curlFix(model: ScriptModel, request: HttpRequest): Report['fixes'] {
  const words = request.bearerWords;
  const place = request.shell;
  if (!words || !place) return [];
  const names = shellCredentialNames(model);
  const code = `-u "$${names.name}:$${names.secret}"`;
  const written = place.source.encode(code);
  const title = `Send Basic auth instead: -u "$${names.name}:$${names.secret}"`;
  if (written === undefined) return [{ title, safety: 'display-only', edits: [] }];
  const span = spanToFile(place.source, { start: words[0].span.start, end: words[words.length - 1].span.end });
  return [{ title, safety: 'unsafe', edits: [{ span, newText: written }] }];
}

function ansibleFix(text: string, lines: LineIndex, request: HttpRequest): Report['fixes'] {
  const ansible = request.ansible;
  const auth = ansible?.authorization as unknown as Pair | undefined;
  const headers = ansible?.headers;
  const names = ansibleCredentialNames(text);
  const title = 'Use url_username, url_password and force_basic_auth';
  const has = (key: string) => ansible!.module.items.some((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
  if (!ansible || !auth || !headers || has('url_username') || has('url_password')) return [{ title, safety: 'display-only', edits: [] }];
  const headersPair = ansible.module.items.find((item) => isPair(item) && item.value === headers) as Pair | undefined;
  const headersKey = headersPair?.key as Node | undefined;
  const authKey = auth.key as Node;
  const authValue = auth.value as Node;
  if (!headersKey?.range || !authKey.range || !authValue.range) return [{ title, safety: 'display-only', edits: [] }];
  const headersLine = lines.positionAt(headersKey.range[0]).line;
  const authLine = lines.positionAt(authKey.range[0]).line;
  const authEndLine = lines.positionAt(authValue.range[1]).line;
  const indent = lines.indentOf(headersLine);
  const eol = lines.eol;
  const added = [`url_username: "{{ ${names.name} }}"`, `url_password: "{{ ${names.secret} }}"`, 'force_basic_auth: true'].map((line) => indent + line + eol).join('');
  const lineAfter = (line: number) => (line + 1 < lines.lineCount ? lines.lineStart(line + 1) : text.length);
  const edits: TextEdit[] = [];
  if (headers.items.length === 1) {
    // The only header: the whole `headers:` entry gives way to the three keys.
    edits.push({ span: { start: lines.lineStart(headersLine), end: lineAfter(Math.max(authEndLine, headersLine)) }, newText: added });
  } else if (authLine > headersLine) {
    edits.push({ span: { start: lines.lineStart(authLine), end: lineAfter(authEndLine) }, newText: '' });
    edits.push({ span: { start: lines.lineStart(headersLine), end: lines.lineStart(headersLine) }, newText: added });
  } else return [{ title, safety: 'display-only', edits: [] }];
  return [{ title, safety: 'unsafe', edits }];
}

function pythonFix(text: string, request: HttpRequest): Report['fixes'] {
  const headers = request.python?.replaceableHeaders;
  const names = pythonCredentialNames(text);
  if (!headers || !names) return [{ title: 'Send Basic auth instead: auth=(robot_name, robot_secret)', safety: 'display-only', edits: [] }];
  return [{ title: 'Send Basic auth instead: auth=(name, secret)', note: `Replaces the headers with auth=(${names.name}, ${names.secret}).`, safety: 'unsafe', edits: [{ span: headers, newText: `auth=(${names.name}, ${names.secret})` }] }];
}

export const robotApiBearerAuth = defineRule({
  meta: {
    id: 'robot-api-bearer-auth',
    catalogId: 'HB-ROBOT-API-AUTH',
    title: "A script sends a Bearer token to Harbor's API",
    appliesTo: ['harbor-client'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        'Reports a request to `/api/v2.0/…` that authenticates with `Authorization: Bearer …`: a curl or wget header (written out, or held in a variable assigned earlier in the file), `curl --oauth2-bearer`, the `headers:` of an Ansible `uri` task, the `headers=` of a Python `requests`/`httpx` call or session, or the `-Headers` / `-Authentication Bearer` of `Invoke-RestMethod`. It reads shell scripts, Makefile recipes, GitHub Actions and GitLab CI steps, Jenkinsfile `sh` steps, Ansible tasks, Python and PowerShell. Words in comments, here-documents and `echo` text are not requests. A Bearer token sent to `/v2/` (the registry API) is correct and not reported.',
      why: DETAIL,
      example: { language: 'sh', code: 'TOKEN=$(curl -s -u "$ROBOT_NAME:$ROBOT_SECRET" "https://harbor.example.com/service/token?service=harbor-registry&scope=repository:team/app:pull" | jq -r .token)\ncurl -X DELETE -H "Authorization: Bearer $TOKEN" \\\n  "https://harbor.example.com/api/v2.0/projects/team/repositories/app/artifacts/v1/tags/v1"' },
      fix: 'Send the robot account\'s name and secret as Basic credentials: `curl -u "$ROBOT_NAME:$ROBOT_SECRET"` (`-u \'robot$team+ci:…\'` when written out: single quotes keep the `$`), `url_username`/`url_password`/`force_basic_auth: true` in Ansible, `auth=(name, secret)` in Python, `-Credential` with `-Authentication Basic` in PowerShell. The quick fix (unsafe, because the credentials must exist where the script runs) writes that for curl, Ansible and Python, reusing the variables the file already logs in with when it can tell them apart.',
      versions: 'Harbor 2.x (the `/api/v2.0` API).',
      evidence: ['goharbor/harbor#20738, #16133, #16398, #20925; werf/werf#5651', 'goharbor/harbor api/v2.0/swagger.yaml (basic security only)', 'goharbor/harbor src/server/middleware/security/v2_token.go, idtoken.go'],
    },
  },
  check({ script, text, lines, report }) {
    if (!script) return;
    const seen = new Set<string>();
    for (const request of script.requests) {
      const bearer = request.bearer;
      if (request.endpoint.kind !== 'api-v2' || !bearer || bearer.looksLikeIdToken) continue;
      const key = `${bearer.span.start}:${bearer.span.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const token = bearer.fromTokenService ? 'a registry token from /service/token' : `a Bearer token${bearer.via ? ` ($${bearer.via})` : ''}`;
      let fixes: Report['fixes'];
      if (request.tool === 'curl') fixes = curlFix(script, request);
      else if (request.tool === 'ansible-uri') fixes = ansibleFix(text, lines, request);
      else if (request.tool === 'python') fixes = pythonFix(text, request);
      else fixes = [{ title: request.tool === 'powershell' ? 'Send Basic auth instead: -Authentication Basic -Credential $robot' : 'Send Basic auth instead: --user and --password with --auth-no-challenge', safety: 'display-only', edits: [] }];
      report({
        span: bearer.span,
        message: `${requestLabel(request)} sends ${token}: Harbor's API wants Basic auth and answers 401 Unauthorized`,
        detail: DETAIL,
        fixes,
      });
    }
  },
});
