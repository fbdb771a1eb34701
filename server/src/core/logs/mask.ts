/**
 * Log lines can carry secrets: a password in a URL, a token in a header, the
 * CSRF key Harbor prints when its length is wrong. Anything harbor-audit shows
 * of a log line goes through maskSecrets first.
 */
const MASK = '***';

const RULES: [RegExp, string][] = [
  // scheme://user:password@host
  [/([a-z][\w+.-]*:\/\/[^\s/:@"']+:)[^\s@/"']+@/gi, `$1${MASK}@`],
  // Authorization: Bearer xyz / Basic xyz, also in curl -H "..." and logfmt
  [/(authorization\\?["']?\s*[:=]\s*\\?["']?\s*(?:bearer|basic|token)?\s*)[^\s"'\\,;]+/gi, `$1${MASK}`],
  // JSON Web Tokens anywhere
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, MASK],
  // password=..., secret: ..., token=..., in query strings, logfmt, YAML or JSON
  [/((?:password|passwd|pwd|secret|token|access_token|api_key|apikey|client_secret)\\?["']?\s*[:=]\s*\\?["']?)[^\s"'&,;\\]+/gi, `$1${MASK}`],
  // docker login -p xyz / --password xyz / --password=xyz
  [/((?:^|\s)(?:-p|--password)(?:\s+|=))(?!-)\S+/g, `$1${MASK}`],
  // harbor core prints the CSRF key itself when its length is wrong
  [/(CSRF key length from the environment: ).*?(\. Please|$)/gi, `$1${MASK}$2`],
];

export function maskSecrets(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of RULES) masked = masked.replace(pattern, replacement);
  return masked;
}
