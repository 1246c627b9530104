import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Written next to `manifest.json`; never listed in the manifest, which it signs. */
export const SIGNATURE_FILE = 'manifest.sig';
/** A signature file is a few hundred bytes; anything larger is not ours and is not read. */
export const SIGNATURE_MAX_BYTES = 4096;
/** The shortest key accepted: as many bytes as the HMAC-SHA256 output, so the key is not the weak part. */
export const MIN_KEY_BYTES = 32;
/** Keys are small secrets; a larger "key file" is a mistake (a dump, a device) and is not read. */
export const MAX_KEY_BYTES = 4096;

/**
 * Bound into every MAC, so a key shared with another use can never make a tag that passes here for
 * bytes that were signed for that other purpose (and the other way round).
 */
const CONTEXT = Buffer.from('engram-upgrade backup manifest v1\n');

/**
 * Where a signing key comes from, as a plan records it: a file path or an environment variable's name,
 * and the key id. Never the key: an executor reads it again from the same place and checks the id.
 */
export const SigningKeyRefSchema = z.discriminatedUnion('from', [
  z.strictObject({
    from: z.literal('file'),
    path: z.string().min(1),
    keyId: z.string().regex(/^[0-9a-f]{8}$/),
  }),
  z.strictObject({
    from: z.literal('env'),
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/),
    keyId: z.string().regex(/^[0-9a-f]{8}$/),
  }),
]);
export type SigningKeyRef = z.infer<typeof SigningKeyRefSchema>;

/**
 * Whether a backup's manifest was shown to come from the holder of the signing key. Checksums alone
 * only show that the files match the manifest: whoever can write the backup can rewrite both.
 */
export const AuthenticitySchema = z.discriminatedUnion('authenticated', [
  z.object({ authenticated: z.literal(true), keyId: z.string() }),
  z.object({
    authenticated: z.literal(false),
    /** `absent`: the backup has no signature; `not-checked`: it has one, but no key was configured. */
    signature: z.enum(['absent', 'not-checked']),
  }),
]);
export type Authenticity = z.infer<typeof AuthenticitySchema>;

/** The content of `manifest.sig`. `keyId` only says which key to expect; the MAC is what is checked. */
export const ManifestSignatureSchema = z.strictObject({
  formatVersion: z.literal(1),
  algorithm: z.literal('HMAC-SHA256'),
  keyId: z.string().regex(/^[0-9a-f]{8}$/),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestSignature = z.infer<typeof ManifestSignatureSchema>;

/**
 * A short, public name for a key: the first 8 hex digits of its SHA-256. Enough to tell two keys apart
 * in a plan or a message; with keys of at least 32 bytes it says nothing useful about the key.
 */
export function signingKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function mac(manifestBytes: Uint8Array, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(CONTEXT).update(manifestBytes).digest();
}

/** Signs the exact bytes of a manifest. */
export function signManifest(manifestBytes: Uint8Array, key: Uint8Array): ManifestSignature {
  return {
    formatVersion: 1,
    algorithm: 'HMAC-SHA256',
    keyId: signingKeyId(key),
    mac: mac(manifestBytes, key).toString('hex'),
  };
}

/** `manifest.sig` as written: one JSON object and a newline. */
export function signatureFileText(signature: ManifestSignature): string {
  return `${JSON.stringify(signature)}\n`;
}

/** What checking a signature found; `wrong-key` and `mismatch` both mean "not authentic". */
export type SignatureCheck =
  | { ok: true; keyId: string }
  | { ok: false; why: 'unreadable' }
  | { ok: false; why: 'wrong-key'; keyId: string; expectedKeyId: string }
  | { ok: false; why: 'mismatch'; keyId: string };

/**
 * Checks the content of a signature file against the exact manifest bytes, in constant time for the
 * MAC. A signature by another key is reported as such (its id is public), never as a match.
 */
export function checkManifestSignature(
  manifestBytes: Uint8Array,
  signatureText: string,
  key: Uint8Array,
): SignatureCheck {
  const parsed = ManifestSignatureSchema.safeParse(parseJson(signatureText));
  if (!parsed.success) return { ok: false, why: 'unreadable' };
  const expectedKeyId = signingKeyId(key);
  if (parsed.data.keyId !== expectedKeyId) {
    return { ok: false, why: 'wrong-key', keyId: parsed.data.keyId, expectedKeyId };
  }
  const good = timingSafeEqual(Buffer.from(parsed.data.mac, 'hex'), mac(manifestBytes, key));
  return good ? { ok: true, keyId: expectedKeyId } : { ok: false, why: 'mismatch', keyId: expectedKeyId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The key bytes from what a key file or variable holds: trailing line breaks are not part of the key,
 * so `openssl rand -hex 32 > key` and `export KEY=$(cat key)` give the same key.
 */
export function keyBytesOf(raw: Uint8Array): Buffer {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  return Buffer.from(raw.subarray(0, end));
}
