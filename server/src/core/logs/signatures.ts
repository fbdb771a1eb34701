/**
 * Log signatures: single lines whose words say which configuration is behind
 * them. Each names the Harbor or distribution source that prints it and the
 * catalog ids (`HB-*`) of the rules that find the cause, most likely first.
 * Sequences over several lines (an upload that loses its token, logins that
 * fail every other time) are in sequences.ts.
 */
import { findKeyIds } from '../pki/keyid';
import type { LogEntry } from './entry';

export interface SignatureMatch {
  /** Key IDs the line names (untrusted-key lines). */
  keyIds?: string[];
}

export interface Signature {
  id: string;
  title: string;
  /** One line, cause first, then what the user sees (at most 120 characters: the editor's diagnostic message). */
  summary: string;
  /** Two or three sentences: what the lines mean. */
  explanation: string;
  /** Catalog ids of the rules that explain it, most likely cause first. */
  catalogIds: string[];
  /** Where the line is printed, for the curious and for the next maintainer. */
  source: string;
  match(entry: LogEntry): SignatureMatch | undefined;
}

const UPLOAD_PATH = /^\/v2\/.+\/blobs\/uploads\/[^/]+$/;
const V2_PATH = /^\/v2\//;

const when = (test: boolean): SignatureMatch | undefined => (test ? {} : undefined);
const says = (pattern: RegExp) => (entry: LogEntry) => when(pattern.test(entry.message));

/**
 * Words one of the signatures below needs, or an HTTP status one of them reads: a line with
 * neither is passed over with one regular-expression test (most lines of a busy log).
 */
export const SIGNATURE_HINT = /untrusted key|verification error|decode bearer token|HARBOR_ADMIN_PASSWORD|password authentication failed|key values mismatch|CSRF|unexpected EOF|411 Length|413 Request|too large body|login attempt|unauthorized to access|HTTP response to HTTPS|x509:/i;
export const SIGNATURE_STATUSES: ReadonlySet<number> = new Set([401, 411, 413, 499, 504]);

export const SIGNATURES: readonly Signature[] = [
  {
    id: 'untrusted-token-key',
    title: 'A token signed by a key the verifier does not trust',
    summary: 'Nodes behind this address sign tokens with different keys: a token one issued was refused by another',
    explanation:
      'The registry (Harbor 1.x, or a registry that trusts Harbor tokens) rejected a token whose signing key is not in its root certificate bundle. Behind one address, this means the node that issued the token signs with a different private_key.pem than the node that checked it: logins and pushes fail about every other time.',
    catalogIds: ['HB-TOKEN-KEY-SHARED', 'HB-HA-INSTALLER', 'HB-TOKEN-PAIR'],
    source: 'distribution registry/auth/token/token.go ("token signed by untrusted key with ID: %q")',
    match(entry) {
      if (!/token signed by untrusted key with ID/i.test(entry.message)) return undefined;
      return { keyIds: findKeyIds(entry.message).map((found) => found.id) };
    },
  },
  {
    id: 'token-verification-error',
    title: 'Harbor core cannot verify the tokens it is shown',
    summary: 'Tokens signed by a key this core does not hold (a second core\'s, or one regenerated on upgrade): 401 on login and push',
    explanation:
      'Harbor core checks every /v2/ token with the public half of its own signing key. "crypto/rsa: verification error" means the token was signed by another key: a second core with its own key, a key the chart generated anew on this render or upgrade, or a hard-coded core.tokenKey that no longer matches what the pods hold. docker login, robot accounts and pushes get 401 Unauthorized.',
    catalogIds: ['HB-TOKEN-PAIR', 'HB-TOKEN-KEY-SHARED', 'HB-GITOPS-RANDOM', 'HB-LEGACY-TOKEN-KEY', 'HB-TOKEN-KEY-FORMAT'],
    source: 'harbor src/pkg/token/token.go ("parse token error, %v") and src/server/middleware/security/v2_token.go ("failed to decode bearer token: %v")',
    match: says(/crypto\/rsa: verification error|failed to decode bearer token: .*signature/i),
  },
  {
    id: 'admin-password-ignored',
    title: 'The configured admin password is not the one in use',
    summary: 'The config\'s admin password is only used on the first start: the password in use is the one set before',
    explanation:
      'Harbor uses harborAdminPassword / harbor_admin_password only on the first start, to seed the database. Every later start ignores it, so a changed value in the config does not change the password: log in with the password set in the UI, or reset it in the database.',
    catalogIds: ['HB-ADMIN-PW'],
    source: 'harbor src/core/main.go ("Admin password from config (HARBOR_ADMIN_PASSWORD) ignored")',
    match: says(/Admin password from config \(HARBOR_ADMIN_PASSWORD\) ignored/),
  },
  {
    id: 'database-password-failed',
    title: 'Harbor cannot log in to its database',
    summary: 'The config\'s database password is not the one PostgreSQL was initialised with: Harbor cannot connect',
    explanation:
      'PostgreSQL refused the password Harbor sent. The database keeps the password it was initialised with; changing database.password (or the external database secret) in the config afterwards does not change it in PostgreSQL, so core, jobservice and exporter fail to start or loop on this error.',
    catalogIds: ['HB-DB-PW'],
    source: 'PostgreSQL src/backend/libpq/auth.c ("password authentication failed for user \\"%s\\"")',
    match: says(/password authentication failed for user/i),
  },
  {
    id: 'tls-key-mismatch',
    title: 'nginx was given a certificate and a key that do not belong together',
    summary: 'TLS certificate and private key do not belong together: nginx refuses to start or reload',
    explanation:
      'nginx checks at start that the private key matches the certificate\'s public key; "key values mismatch" means it does not, and nginx refuses to start (or keeps the old configuration on reload). Usually one of the two files was renewed without the other.',
    catalogIds: ['HB-TLS-PAIR', 'HB-TLS-CERT'],
    source: 'nginx src/event/ngx_event_openssl.c (SSL_CTX_use_PrivateKey) with OpenSSL\'s "key values mismatch"',
    match: says(/key values mismatch/i),
  },
  {
    id: 'csrf-key-length',
    title: 'The CSRF key is not 32 characters long',
    summary: 'The CSRF key (core.xsrfKey, CSRF_KEY) is not 32 characters: every UI and API write is refused',
    explanation:
      'Harbor core requires CSRF_KEY (core.xsrfKey in the chart) to be exactly 32 characters. With any other length every state-changing UI and API call is refused with "invalid CSRF key length from the environment".',
    catalogIds: ['HB-CSRF-KEY'],
    source: 'harbor src/server/middleware/csrf/csrf.go ("Invalid CSRF key length from the environment")',
    match: says(/invalid CSRF key length/i),
  },
  {
    id: 'csrf-token-invalid',
    title: 'UI requests carry a CSRF token another key signed',
    summary: 'The CSRF key differs between the cores or renders that answer: UI requests fail with CSRF token invalid',
    explanation:
      'The CSRF token in the browser was made with a different CSRF key than the core answering now: several cores with their own random keys behind one address, or a key regenerated on every render or ./prepare. A UI served over http while externalURL says https also loses the secure cookie that carries it.',
    catalogIds: ['HB-HA-INSTALLER', 'HB-GITOPS-RANDOM', 'HB-CSRF-KEY', 'HB-EXTERNAL-URL'],
    source: 'gorilla/csrf ("CSRF token invalid"), used by harbor src/server/middleware/csrf/csrf.go',
    match: says(/CSRF token invalid/i),
  },
  {
    id: 'upload-timeout',
    title: 'Layer uploads are cut off on the way to Harbor',
    summary: 'A proxy in front of Harbor times out or buffers long layer uploads: large layers fail to push',
    explanation:
      'A PATCH or PUT of a layer ended in a gateway timeout or an unexpected EOF: a proxy in front of Harbor gave up on a long upload (proxy_read_timeout / proxy_send_timeout) or buffered the whole layer before passing it on. Large layers fail while small images push.',
    catalogIds: ['HB-PROXY-TIMEOUTS', 'HB-PROXY-STREAMING', 'HB-PROXY-BODY-SIZE'],
    source: 'nginx access log status 504/499 on /v2/<repo>/blobs/uploads/<id>; distribution registry/handlers/blobupload.go ("unexpected EOF")',
    match(entry) {
      const http = entry.http;
      if (http && UPLOAD_PATH.test(http.path) && (http.method === 'PATCH' || http.method === 'PUT') && (http.status === 504 || http.status === 499)) return {};
      return when(/unexpected EOF/.test(entry.message) && (!http || UPLOAD_PATH.test(http.path)) && /blobs?\/uploads|blob upload|PATCH/i.test(entry.message + (http?.path ?? '')));
    },
  },
  {
    id: 'chunked-upload-refused',
    title: 'A proxy refuses chunked uploads (411 Length Required)',
    summary: 'A proxy refuses chunked transfer encoding: docker push fails with 411 Length Required',
    explanation:
      'docker and containerd upload layers with chunked transfer encoding. A proxy with chunked_transfer_encoding off (or an old one that needs a length) answers 411 Length Required, and the push fails at the first layer.',
    catalogIds: ['HB-PROXY-CHUNKED'],
    source: 'nginx access log status 411 on /v2/<repo>/blobs/uploads/<id>',
    match(entry) {
      if (entry.http) return when(entry.http.status === 411 && V2_PATH.test(entry.http.path));
      return when(/411 Length Required/i.test(entry.message));
    },
  },
  {
    id: 'body-too-large',
    title: 'A proxy limits the upload size (413)',
    summary: 'A proxy\'s client_max_body_size is below the layer size: docker push gets 413 Request Entity Too Large',
    explanation:
      'A proxy in front of Harbor refused a layer larger than its client_max_body_size (nginx\'s default is 1 MB). The request never reaches Harbor, so Harbor\'s own logs show nothing.',
    catalogIds: ['HB-PROXY-BODY-SIZE'],
    source: 'nginx ngx_http_core_module ("client intended to send too large body"), status 413',
    match(entry) {
      if (entry.http) return when(entry.http.status === 413 && V2_PATH.test(entry.http.path));
      return when(/413 Request Entity Too Large|client intended to send too large body/i.test(entry.message));
    },
  },
  {
    id: 'api-unauthorized',
    title: 'A call to Harbor\'s API was refused (401)',
    summary: 'A Bearer token (or no Authorization) on Harbor\'s /api/v2.0, which takes Basic auth: the call gets 401',
    explanation:
      'Harbor\'s /api/v2.0 accepts Basic authentication (a user, or a robot account as robot$name:secret) and a session cookie, not the Bearer token that /service/token issues: that token is only for the registry API under /v2/. A script that sends "Authorization: Bearer …" to /api/v2.0 gets 401 whatever the robot\'s permissions. A proxy that drops Authorization does the same.',
    catalogIds: ['HB-ROBOT-API-AUTH', 'HB-ROBOT-NAME-QUOTING', 'HB-PROXY-AUTH-HEADER'],
    source: 'harbor src/server/middleware/security/v2_token.go (Bearer tokens only under /v2) and api/v2.0/swagger.yaml (basic security)',
    match(entry) {
      return when(!!entry.http && entry.http.status === 401 && /^\/api\/v2\.0\//.test(entry.http.path));
    },
  },
  {
    id: 'docker-login-unauthorized',
    title: 'docker login was refused (401)',
    summary: 'Wrong credentials, token keys that differ between cores, or a proxy dropping Authorization: docker login gets 401',
    explanation:
      'The registry refused the credentials or the token that came with them. With a right password this points at the token chain: a signing key that differs between the core that issued the token and the one that checked it, or a proxy that drops the Authorization header or changes the Host the token realm was built from.',
    catalogIds: ['HB-TOKEN-KEY-SHARED', 'HB-TOKEN-PAIR', 'HB-PROXY-AUTH-HEADER', 'HB-PROXY-HOST', 'HB-ROBOT-NAME-QUOTING', 'HB-ADMIN-PW'],
    source: 'docker CLI / moby registry/auth.go ("login attempt to %s failed with status: %d %s")',
    match: says(/login attempt to \S+ failed with status: 401/i),
  },
  {
    id: 'unauthorized-repository-action',
    title: 'The token does not grant this action on the repository',
    summary: 'The account has no role for this action in the project, or the project does not exist: the request is refused',
    explanation:
      'Harbor issued a token without the requested action: the user or robot has no role that allows it in this project, the project does not exist (a push does not create it), or the name is misspelt. This is a permission, not a configuration file, problem.',
    catalogIds: [],
    source: 'harbor src/server/middleware/v2auth/auth.go ("unauthorized to access repository: %s, action: %s")',
    match: says(/unauthorized to access repository: [^,]+, action: \w+/i),
  },
  {
    id: 'http-response-to-https-client',
    title: 'The client speaks HTTPS, Harbor answers plain HTTP',
    summary: 'Harbor or its proxy serves plain HTTP where the client expects HTTPS: docker login and push fail',
    explanation:
      'docker tried TLS and got a plain HTTP answer: Harbor (or the proxy in front of it) serves HTTP on that port. Either enable HTTPS there (harbor.yml https:, expose.tls.enabled) with externalURL set to https, or, for a test registry, list it under insecure-registries on every client.',
    catalogIds: ['HB-EXTERNAL-URL', 'HB-HTTPS-REDIRECT-LOOP'],
    source: 'Go net/http ("http: server gave HTTP response to HTTPS client")',
    match: says(/server gave HTTP response to HTTPS client/i),
  },
  {
    id: 'x509-unknown-authority',
    title: 'The client does not trust Harbor\'s certificate',
    summary: 'Harbor\'s certificate is from a CA this client does not trust (self-signed, or regenerated on upgrade)',
    explanation:
      'Harbor\'s certificate was issued by a CA the client does not know: a self-signed or internal CA not installed in /etc/docker/certs.d/<host>/ca.crt (or the system store), or a CA the chart regenerates on every upgrade (expose.tls.certSource auto), which makes every client\'s copy stale.',
    catalogIds: ['HB-EXPOSE-AUTO-CERT', 'HB-TLS-CERT'],
    source: 'Go crypto/x509 ("x509: certificate signed by unknown authority")',
    match: says(/x509: certificate signed by unknown authority/i),
  },
  {
    id: 'x509-wrong-name',
    title: 'Harbor\'s certificate is for another name',
    summary: 'Harbor\'s certificate does not name the host the client used: TLS verification fails',
    explanation:
      'The certificate Harbor presents does not list the host name the client used. Issue it for the externalURL / hostname (as a subject alternative name), or use the name the certificate was made for.',
    catalogIds: ['HB-TLS-CERT', 'HB-EXTERNAL-URL'],
    source: 'Go crypto/x509 ("x509: certificate is valid for %s, not %s")',
    match: says(/x509: certificate is valid for .+, not /i),
  },
];
