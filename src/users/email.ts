// Email addresses are stored trimmed and lower-cased, and so compared case-insensitively.
import { AppError } from '../errors.ts';

/**
 * RFC 5321 §4.5.3.1's limit on a whole address (a path of 256 octets, less the angle brackets).
 * The EmailAddress scalar refuses longer input first; this guards every other way in.
 */
export const EMAIL_MAX_LENGTH = 254;

/** The stored form of an address; one longer than RFC 5321 allows is refused as `field`. */
export function normalizeEmail(email: string, field: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > EMAIL_MAX_LENGTH) {
    throw new AppError(
      'BAD_USER_INPUT',
      { field },
      `An email address is at most ${EMAIL_MAX_LENGTH} characters long.`,
    );
  }
  return normalized;
}
