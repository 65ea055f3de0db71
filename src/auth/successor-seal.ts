// Seals the successor pair of a spent refresh token under a key derived from that token's own
// text, so that an honest retry (which presents the spent token) can be handed the same pair,
// while the database, which holds only the token's SHA-256 digest, cannot open it.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = Buffer.from('tessera/refresh-successor/v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(parentToken: string, salt: Buffer): Buffer {
  // The parent token carries 256 random bits, so HKDF (not a slow password KDF) is enough.
  return Buffer.from(hkdfSync('sha256', parentToken, salt, INFO, 32));
}

/** AES-256-GCM over JSON; layout: iv (12) | tag (16) | ciphertext. The iv doubles as the salt. */
export function sealSuccessor(parentToken: string, payload: unknown): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(parentToken, iv), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens a seal made by sealSuccessor; undefined when the token or the seal is wrong. */
export function openSuccessor<T>(parentToken: string, sealed: Uint8Array): T | undefined {
  const seal = Buffer.from(sealed);
  if (seal.length < IV_BYTES + TAG_BYTES) return undefined;
  const iv = seal.subarray(0, IV_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(parentToken, iv), iv);
    decipher.setAuthTag(seal.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const body = Buffer.concat([
      decipher.update(seal.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
