import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkManifestSignature,
  keyBytesOf,
  ManifestSignatureSchema,
  signatureFileText,
  signingKeyId,
  signManifest,
} from '../../../src/backup/manifest-signature';
import { fcParams } from '../fc-seed';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
const OTHER = Buffer.from('fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210');
const MANIFEST = Buffer.from('{\n  "formatVersion": 2,\n  "id": "engram-20260304T050607Z"\n}\n');

describe('manifest signatures (pure)', () => {
  it('a signature made with a key verifies with that key, over exactly those bytes', () => {
    const text = signatureFileText(signManifest(MANIFEST, KEY));
    expect(checkManifestSignature(MANIFEST, text, KEY)).toEqual({ ok: true, keyId: signingKeyId(KEY) });
  });

  it('is an HMAC-SHA256 bound to its purpose: a bare HMAC of the manifest is not a valid signature', () => {
    const sig = signManifest(MANIFEST, KEY);
    expect(sig.algorithm).toBe('HMAC-SHA256');
    const bare = createHmac('sha256', KEY).update(MANIFEST).digest('hex');
    expect(sig.mac).not.toBe(bare);
    const forged = signatureFileText({ ...sig, mac: bare });
    expect(checkManifestSignature(MANIFEST, forged, KEY)).toMatchObject({ ok: false, why: 'mismatch' });
  });

  it('any change to the manifest bytes, even one byte or trailing whitespace, fails the check', () => {
    const text = signatureFileText(signManifest(MANIFEST, KEY));
    fc.assert(
      fc.property(fc.nat({ max: MANIFEST.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const changed = Buffer.from(MANIFEST);
        changed[at] = changed[at]! ^ flip;
        expect(checkManifestSignature(changed, text, KEY)).toMatchObject({ ok: false, why: 'mismatch' });
      }),
      fcParams(),
    );
    const longer = Buffer.concat([MANIFEST, Buffer.from(' ')]);
    expect(checkManifestSignature(longer, text, KEY).ok).toBe(false);
  });

  it('a signature by another key is reported as that (with its public id), never as a match', () => {
    const text = signatureFileText(signManifest(MANIFEST, OTHER));
    expect(checkManifestSignature(MANIFEST, text, KEY)).toEqual({
      ok: false,
      why: 'wrong-key',
      keyId: signingKeyId(OTHER),
      expectedKeyId: signingKeyId(KEY),
    });
    // Claiming the right key id does not help: the MAC decides.
    const claimed = signatureFileText({ ...signManifest(MANIFEST, OTHER), keyId: signingKeyId(KEY) });
    expect(checkManifestSignature(MANIFEST, claimed, KEY)).toMatchObject({ ok: false, why: 'mismatch' });
  });

  it('a signature file that is not ours is unreadable, not an exception', () => {
    const good = signManifest(MANIFEST, KEY);
    for (const text of [
      '',
      'not json',
      '[]',
      JSON.stringify({ ...good, algorithm: 'HMAC-SHA1' }),
      JSON.stringify({ ...good, mac: good.mac.slice(2) }),
      JSON.stringify({ ...good, mac: good.mac.toUpperCase() }),
      JSON.stringify({ ...good, extra: 1 }),
    ]) {
      expect(checkManifestSignature(MANIFEST, text, KEY)).toEqual({ ok: false, why: 'unreadable' });
    }
  });

  it('the signature file holds the key id and MAC only; nothing of the key', () => {
    const sig = signManifest(MANIFEST, KEY);
    const text = signatureFileText(sig);
    expect(ManifestSignatureSchema.parse(JSON.parse(text))).toEqual(sig);
    expect(Object.keys(sig).sort()).toEqual(['algorithm', 'formatVersion', 'keyId', 'mac']);
    expect(text).not.toContain(KEY.toString());
    expect(text).not.toContain(KEY.toString('hex'));
    expect(sig.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(signingKeyId(KEY)).not.toBe(signingKeyId(OTHER));
  });

  it('trailing line breaks are not part of a key; everything else is', () => {
    expect(keyBytesOf(Buffer.from('abc\n'))).toEqual(Buffer.from('abc'));
    expect(keyBytesOf(Buffer.from('abc\r\n\n'))).toEqual(Buffer.from('abc'));
    expect(keyBytesOf(Buffer.from(' abc \t'))).toEqual(Buffer.from(' abc \t'));
    expect(keyBytesOf(Buffer.from('\n\n'))).toEqual(Buffer.alloc(0));
  });
});
