/**
 * Turns file bytes into text the way an editor would, and says what was wrong
 * with them. Config files arrive as UTF-8, UTF-8 with BOM, or UTF-16 with BOM
 * (PowerShell writes those); binary files must never reach a parser.
 */

export type DecodeProblem =
  | { kind: 'binary'; message: string }
  | { kind: 'invalid-utf8'; byteOffset: number; message: string };

export interface Decoded {
  text: string;
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';
  problem?: DecodeProblem;
}

export interface DecodeOptions {
  /**
   * Text longer than this is not going to be checked: skip locating the first
   * bad byte (a scan of the whole file) and let the caller report the size.
   */
  maxChars?: number;
}

export function decodeBytes(bytes: Uint8Array, options: DecodeOptions = {}): Decoded {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  }
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  const encoding = hasBom ? 'utf-8-bom' : 'utf-8';
  // A NUL byte never occurs in a text config; checking a prefix keeps huge files cheap.
  const probe = body.subarray(0, 8192);
  if (probe.includes(0)) {
    return { text: '', encoding, problem: { kind: 'binary', message: 'This is a binary file (it contains NUL bytes), so it was not checked.' } };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding };
  } catch {
    const text = new TextDecoder('utf-8').decode(body);
    if (options.maxChars !== undefined && text.length > options.maxChars) return { text, encoding };
    const byteOffset = firstInvalidUtf8(body);
    return {
      text,
      encoding,
      problem: {
        kind: 'invalid-utf8',
        byteOffset,
        message: `The file is not valid UTF-8 (first bad byte at offset ${byteOffset}); bad bytes were read as U+FFFD and the rest was checked.`,
      },
    };
  }
}

/**
 * Offset of the first byte that starts no valid UTF-8 sequence, in one pass
 * (the byte ranges of RFC 3629 §4: no overlong forms, no surrogates, nothing
 * above U+10FFFF); bytes.length when all are valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    // The second byte has the narrowed range; the others are plain continuation bytes.
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return i;
}

/** Whether a text value is the product of a template or an encryption tool rather than a literal. */
export function isGeneratedValue(raw: string): boolean {
  return GENERATED_VALUE.test(raw.trim());
}

const GENERATED_VALUE = new RegExp(
  [
    String.raw`\{\{`, // Helm, Jinja, Go templates
    String.raw`\{%`, // Jinja statements
    String.raw`\$\{`, // envsubst, Terraform, shell
    String.raw`%\{`, // Terraform template directives
    String.raw`\$\(`, // shell command substitution
    String.raw`^\$[A-Za-z_][A-Za-z0-9_]*$`, // $VAR
    String.raw`^ENC\[[A-Z0-9_]+,`, // SOPS
    String.raw`^<[^<>]+>$`, // <PLACEHOLDER>
    String.raw`^AgB[A-Za-z0-9+/=]{40,}$`, // Bitnami SealedSecret ciphertext
    String.raw`^vault:`, // vault-secrets-webhook references
    String.raw`^ref\+`, // helm-secrets / vals references
  ].join('|'),
);
