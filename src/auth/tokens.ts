// The token format (contract rule 10): `tsa_` or `tsr_`, 256 random bits and a CRC-32
// checksum, all URL-safe. The checksum lets a mangled or made-up token be refused without a
// database query and lets secret scanners confirm a match; it is not a security boundary.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type TokenKind = 'access' | 'refresh';

const PREFIX: Readonly<Record<TokenKind, string>> = { access: 'tsa_', refresh: 'tsr_' };
const RANDOM_BYTES = 32;
// base64url of 32 bytes is 43 characters; of the 4-byte checksum, 6.
const SHAPE: Readonly<Record<TokenKind, RegExp>> = {
  access: /^tsa_[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{6}$/,
  refresh: /^tsr_[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{6}$/,
};

function checksum(prefixAndBody: string): string {
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(prefixAndBody));
  return sum.toString('base64url');
}

export function generateToken(kind: TokenKind): string {
  const head = PREFIX[kind] + randomBytes(RANDOM_BYTES).toString('base64url');
  return head + checksum(head);
}

/** True when `raw` has the shape and a correct checksum of a token of `kind`. Never throws. */
export function isWellFormedToken(raw: unknown, kind: TokenKind): raw is string {
  if (typeof raw !== 'string' || !SHAPE[kind].test(raw)) return false;
  const head = raw.slice(0, -6);
  const expected = Buffer.from(checksum(head));
  return timingSafeEqual(expected, Buffer.from(raw.slice(-6)));
}

/** The only form in which a token is stored: the hex SHA-256 digest of its text. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
