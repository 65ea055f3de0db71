// Email addresses are stored trimmed and lower-cased, and so compared case-insensitively.
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
