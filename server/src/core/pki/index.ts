/**
 * Pure PKI helpers (no fs, no LSP): strict PEM framing, key/certificate
 * inspection, key/cert matching, chain order and registry key IDs.
 */
import type { KeyInfo } from './inspect';

export { scanPem, toPem } from './pem';
export type { PemBlock, PemScanOptions } from './pem';
export {
  inspectPem,
  inspectBytes,
  describeKey,
  describeCertificate,
} from './inspect';
export type { KeyType, KeyInfo, CertificateInfo, InspectedObject, InspectOptions, ObjectKind, ObjectFormat } from './inspect';
export { matchKeyAndCertificate, chainOrderProblems, toPkcs1RsaPem, compareKeyAndCertificateReport } from './match';
export type { MatchResult, MatchVerdict, CompareReport, CompareInput } from './match';
export { libtrustKeyId, jwkThumbprint, parseKeyIdFromText, findKeyIds, base32, LIBTRUST_KEY_ID, JWK_THUMBPRINT } from './keyid';
export type { FoundKeyId, ThumbprintOptions } from './keyid';

/**
 * The token key the Harbor Helm chart shipped as its default until v1.12.0
 * (HB-LEGACY-TOKEN-KEY): its public key is known to everyone.
 */
export const LEGACY_CHART_TOKEN_KEY = {
  keyId: '7WMA:KVXO:KF25:35NA:GJ35:ZGKY:PGYT:I5UT:TGWY:UUI4:PT7Z:X3KW',
  thumbprint: 'XmBbHobH-jTjoZMiT7Ojh9GS6Z2FHWtWSibyyJ3c0rQ',
} as const;

export function isLegacyChartTokenKey(key: KeyInfo | undefined): boolean {
  return !!key && (key.keyId === LEGACY_CHART_TOKEN_KEY.keyId || key.thumbprint === LEGACY_CHART_TOKEN_KEY.thumbprint);
}
