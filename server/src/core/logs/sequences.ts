/**
 * Sequences over several requests of one client, read from access logs (front
 * nginx, Harbor's nginx) or the registry's request lines:
 * - an upload that loses its token: POST …/blobs/uploads/ → 202, then the
 *   PATCH or PUT of that upload → 401 (the Location the registry built pointed
 *   at another scheme or host, so the client sent no Authorization);
 * - tokens accepted only sometimes: after GET /service/token → 200, the next
 *   GET /v2/ is answered 200 at times and 401 at others (two signing keys).
 * State is bounded: at most MAX_TRACKED clients and uploads are remembered.
 */
import type { LogEntry } from './entry';

export interface LineRef {
  file: string;
  line: number;
}

export interface SequenceFinding {
  signature: 'upload-token-lost' | 'token-accepted-sometimes' | 'token-always-rejected';
  lines: LineRef[];
  /** The line that went wrong (the 401), as logged. */
  text: string;
}

const MAX_TRACKED = 10_000;
const UPLOAD_START = /^\/v2\/(.+)\/blobs\/uploads\/?$/;
const UPLOAD_CHUNK = /^\/v2\/(.+)\/blobs\/uploads\/[^/]+$/;
const TOKEN = /^\/service\/token$/;
const PING = /^\/v2\/?$/;

/** A Map that forgets its oldest entries past MAX_TRACKED. */
class BoundedMap<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= MAX_TRACKED) this.delete(this.keys().next().value as string);
    return super.set(key, value);
  }
}

export class SequenceTracker {
  private readonly lastToken = new BoundedMap<LineRef>();
  private readonly uploads = new BoundedMap<{ token?: LineRef; start: LineRef }>();
  private readonly afterToken = new BoundedMap<LineRef>();
  private readonly found: SequenceFinding[] = [];
  private accepted = 0;
  private readonly rejected: LineRef[] = [];
  private firstRejectedText = '';

  add(entry: LogEntry, at: LineRef, text: string): void {
    const http = entry.http;
    if (!http || http.status === undefined) return;
    const client = `${http.client ?? '?'}|${http.userAgent ?? '?'}`;
    if (TOKEN.test(http.path) && http.method === 'GET' && http.status === 200) {
      this.lastToken.set(client, at);
      this.afterToken.set(client, at);
      return;
    }
    if (PING.test(http.path) && http.method === 'GET' && this.afterToken.has(client)) {
      this.afterToken.delete(client);
      if (http.status === 200) this.accepted++;
      else if (http.status === 401 && this.rejected.length < 1000) {
        if (this.rejected.length === 0) this.firstRejectedText = text;
        this.rejected.push(at);
      }
      return;
    }
    const start = UPLOAD_START.exec(http.path);
    if (start && http.method === 'POST' && http.status === 202) {
      this.uploads.set(`${client}|${start[1]}`, { token: this.lastToken.get(client), start: at });
      return;
    }
    const chunk = UPLOAD_CHUNK.exec(http.path);
    if (chunk && (http.method === 'PATCH' || http.method === 'PUT')) {
      const key = `${client}|${chunk[1]}`;
      const upload = this.uploads.get(key);
      if (!upload) return;
      this.uploads.delete(key);
      if (http.status === 401 && this.found.length < 1000) {
        this.found.push({ signature: 'upload-token-lost', lines: [...(upload.token ? [upload.token] : []), upload.start, at], text });
      }
    }
  }

  finish(): SequenceFinding[] {
    const result = [...this.found];
    if (this.rejected.length > 0) {
      result.push({ signature: this.accepted > 0 ? 'token-accepted-sometimes' : 'token-always-rejected', lines: [...this.rejected], text: this.firstRejectedText });
    }
    return result;
  }
}

export const SEQUENCE_SIGNATURES = {
  'upload-token-lost': {
    title: 'A push loses its token between the upload\'s POST and its PUT',
    summary: 'A proxy does not pass X-Forwarded-Proto or changes Host: the upload\'s PATCH or PUT goes elsewhere and gets 401',
    explanation:
      'The registry answered POST …/blobs/uploads/ with 202 and a Location for the rest of the upload; the PATCH or PUT to that Location then got 401. The client only sends its token to the scheme and host it logged in to, so the Location pointed elsewhere: a proxy in front of Harbor did not pass X-Forwarded-Proto, or changed Host or its port.',
    catalogIds: ['HB-PROXY-XFP', 'HB-PROXY-HOST', 'HB-PROXY-FWD-HOST', 'HB-INTERNAL-XFP', 'HB-TLS-UPSTREAM', 'HB-PROXY-AUTH-HEADER'],
    source: 'distribution registry/api/v2/urls.go (NewURLBuilderFromRequest builds Location from X-Forwarded-Proto and Host); registry/client/auth/session.go (tokens only for the same scheme and host)',
  },
  'token-accepted-sometimes': {
    title: 'Fresh tokens are accepted only some of the time',
    summary: 'Nodes behind this address sign tokens with different keys: fresh tokens are accepted only some of the time',
    explanation:
      'Right after a token was issued, GET /v2/ was answered 200 at times and 401 at others. Behind one address, the nodes sign tokens with different keys: a token from one node is rejected by the other, so docker login works about every other time.',
    catalogIds: ['HB-TOKEN-KEY-SHARED', 'HB-HA-INSTALLER', 'HB-GITOPS-RANDOM'],
    source: 'harbor src/server/middleware/security/v2_token.go (each core verifies with its own key)',
  },
  'token-always-rejected': {
    title: 'Fresh tokens are rejected',
    summary: 'The core that checks tokens lacks the key that signed them, or a proxy drops Authorization: GET /v2/ gets 401',
    explanation:
      'Right after a token was issued, GET /v2/ was answered 401 every time: the core that checks tokens does not hold the key that signed them (a hard-coded core.tokenKey out of step with the pods, or a key regenerated on upgrade), or a proxy drops the Authorization header.',
    catalogIds: ['HB-TOKEN-PAIR', 'HB-TOKEN-KEY-SHARED', 'HB-PROXY-AUTH-HEADER', 'HB-GITOPS-RANDOM'],
    source: 'harbor src/server/middleware/security/v2_token.go, src/pkg/token/token.go',
  },
} as const;
