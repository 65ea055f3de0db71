// The token format (contract rule 10): `tsa_` or `tsr_`, 256 random bits and a CRC-32
// checksum, all URL-safe. The checksum lets a mangled or made-up token be refused without a
// database query and lets secret scanners confirm a match; it is not a security boundary.
import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type TokenKind = 'access' | 'refresh';

const PREFIX: Readonly<Record<TokenKind, string>> = { access: 'tsa_', refresh: 'tsr_' };
const RANDOM_BYTES = 32;
// base64url of 32 bytes is 43 characters; of the 4-byte checksum, 6.
/** The length of every token, either kind: the prefix, 43 characters and the checksum's 6. */
export const TOKEN_LENGTH = 4 + 43 + 6;
const SHAPE: Readonly<Record<TokenKind, RegExp>> = {
  access: /^tsa_[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{6}$/,
  refresh: /^tsr_[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{6}$/,
};

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The base64url text of the big-endian CRC-32, written out by hand: it runs on every
 * authenticated request, and a Buffer round trip cost more than the rest of the check.
 * 32 bits are five 6-bit characters and a sixth holding the last 2 bits (padded with zeros).
 */
function checksum(prefixAndBody: string): string {
  const n = crc32(prefixAndBody);
  return (
    BASE64URL.charAt(n >>> 26) +
    BASE64URL.charAt((n >>> 20) & 63) +
    BASE64URL.charAt((n >>> 14) & 63) +
    BASE64URL.charAt((n >>> 8) & 63) +
    BASE64URL.charAt((n >>> 2) & 63) +
    BASE64URL.charAt((n & 3) << 4)
  );
}

export function generateToken(kind: TokenKind): string {
  const head = PREFIX[kind] + randomBytes(RANDOM_BYTES).toString('base64url');
  return head + checksum(head);
}

/** True when `raw` has the shape and a correct checksum of a token of `kind`. Never throws. */
export function isWellFormedToken(raw: unknown, kind: TokenKind): raw is string {
  if (typeof raw !== 'string' || !SHAPE[kind].test(raw)) return false;
  // A plain comparison: the checksum is computed from the presented text itself, so its timing
  // can tell the presenter nothing they do not already hold (the secret is the whole token,
  // and it is only ever looked up by its digest).
  return checksum(raw.slice(0, -6)) === raw.slice(-6);
}

/** The only form in which a token is stored: the hex SHA-256 digest of its text. */
export function hashToken(token: string): string {
  // crypto.hash, one shot: no Hash object per call (a third of the token check's time).
  return hash('sha256', token, 'hex');
}
