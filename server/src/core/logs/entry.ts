/**
 * One log line, read in the shapes users paste: an envelope (docker compose's
 * `service  | `, kubectl's `[pod/…/container] `, syslog/journald's
 * `Jun 15 14:40:01 host registry[30242]: `) around a payload (Harbor core's
 * own format, distribution's logrus key=value lines, nginx access logs in
 * `combined` or Harbor's `timed_combined`, or plain client output).
 */

export interface HttpRequest {
  method: string;
  /** Path and query, as logged. */
  uri: string;
  /** Path without the query. */
  path: string;
  status?: number;
  client?: string;
  userAgent?: string;
}

export interface LogEntry {
  /** The service or container the envelope names (`registry`, `core`, `nginx`, …), lower-case. */
  service?: string;
  /** The outermost envelope peeled off, when there was one. */
  envelope?: 'compose' | 'kubectl' | 'syslog';
  /** The payload's own time stamp, as written (for ordering only when present). */
  time?: string;
  /** Lower-case level where the payload has one: error, warning, info, debug. */
  level?: string;
  /** The human message: logrus `msg`, Harbor core's text, or the whole payload. */
  message: string;
  /** Which payload format was recognised. */
  format: 'harbor-core' | 'logrus' | 'nginx-access' | 'plain';
  http?: HttpRequest;
}

const COMPOSE_PREFIX = /^([a-z0-9][\w.-]*)\s+\|\s?(.*)$/i;
const KUBECTL_PREFIX = /^\[pod\/([^/\]\s]+)\/([^\]\s]+)\]\s?(.*)$/;
const SYSLOG_PREFIX = /^(?:[A-Z][a-z]{2}\s+\d{1,2}\s\d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)\s+\S+\s+([A-Za-z][\w.\/-]*?)(?:\[\d+\])?:\s?(.*)$/;
const HARBOR_CORE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z?)\s+\[(DEBUG|INFO|WARNING|ERROR|FATAL)\]\s+((?:\[[^\]]*\])*):?\s?(.*)$/;
const NGINX_COMBINED = /^(\S+) \S+ \S+ \[([^\]]+)\] "([A-Z]+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"/;
const NGINX_TIMED = /^(\S+) - "([A-Z]+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"/;

export function parseLogLine(raw: string): LogEntry {
  let line = raw.replace(/\r$/, '');
  let service: string | undefined;
  let envelope: LogEntry['envelope'];
  // Envelopes can nest (journald around docker's syslog driver): peel at most three.
  for (let i = 0; i < 3; i++) {
    const kubectl = KUBECTL_PREFIX.exec(line);
    if (kubectl) {
      service ??= kubectl[2].toLowerCase();
      envelope ??= 'kubectl';
      line = kubectl[3];
      continue;
    }
    const syslog = SYSLOG_PREFIX.exec(line);
    if (syslog) {
      service = syslog[1].toLowerCase();
      envelope ??= 'syslog';
      line = syslog[2];
      continue;
    }
    const compose = COMPOSE_PREFIX.exec(line);
    if (compose && !/^https?$/i.test(compose[1])) {
      service = compose[1].toLowerCase().replace(/-\d+$/, '');
      envelope ??= 'compose';
      line = compose[2];
      continue;
    }
    break;
  }
  return { ...(service ? { service } : {}), ...(envelope ? { envelope } : {}), ...parsePayload(line) };
}

function parsePayload(line: string): Omit<LogEntry, 'service'> {
  const core = HARBOR_CORE.exec(line);
  if (core) return { time: core[1], level: core[2].toLowerCase(), message: core[4], format: 'harbor-core' };
  if (/(^|\s)(level|msg)=/.test(line)) {
    const fields = logfmt(line);
    if (fields.msg !== undefined || fields.level !== undefined) {
      const method = fields['http.request.method'];
      const uri = fields['http.request.uri'];
      const status = Number(fields['http.response.status']);
      return {
        ...(fields.time ? { time: fields.time } : {}),
        ...(fields.level ? { level: normaliseLevel(fields.level) } : {}),
        message: fields.msg ?? fields.err ?? line,
        format: 'logrus',
        ...(method && uri
          ? {
              http: {
                method,
                uri,
                path: uri.split('?')[0],
                ...(Number.isInteger(status) && status > 0 ? { status } : {}),
                ...(fields['http.request.remoteaddr'] ? { client: fields['http.request.remoteaddr'] } : {}),
                ...(fields['http.request.useragent'] ? { userAgent: fields['http.request.useragent'] } : {}),
              },
            }
          : {}),
      };
    }
  }
  const combined = NGINX_COMBINED.exec(line);
  if (combined) {
    return {
      time: combined[2],
      message: line,
      format: 'nginx-access',
      http: { client: combined[1], method: combined[3], uri: combined[4], path: combined[4].split('?')[0], status: Number(combined[5]), userAgent: combined[6] },
    };
  }
  const timed = NGINX_TIMED.exec(line);
  if (timed) {
    return {
      message: line,
      format: 'nginx-access',
      http: { client: timed[1], method: timed[2], uri: timed[3], path: timed[3].split('?')[0], status: Number(timed[4]), userAgent: timed[5] },
    };
  }
  return { message: line, format: 'plain' };
}

function normaliseLevel(level: string): string {
  const lower = level.toLowerCase();
  return lower === 'warn' ? 'warning' : lower;
}

/** logrus/logfmt `key=value key="quoted \"value\""` pairs; later keys win. */
export function logfmt(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const pair = /([\w.]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of line.matchAll(pair)) {
    let value = m[2];
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(["\\])/g, '$1');
    fields[m[1]] = value;
  }
  return fields;
}
