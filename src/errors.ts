// The contract's error codes (section 4): one closed union, one message table, one error type.
// Domain code throws AppError; src/graphql/errors.ts turns it into a GraphQL error.

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_REFRESH_TOKEN'
  | 'REAUTHENTICATION_REQUIRED'
  | 'EMAIL_IN_USE'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'ACCOUNT_DISABLED'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

/** Why a presented access token was not accepted (`extensions.reason` of UNAUTHENTICATED). */
export type AccessTokenProblem = 'MALFORMED' | 'INVALID' | 'EXPIRED' | 'REVOKED';
export type UnauthenticatedReason = 'MISSING' | AccessTokenProblem;
export type RefreshTokenProblem = 'INVALID' | 'EXPIRED' | 'REVOKED' | 'REUSED';

export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'You must be signed in with a valid access token.',
  INVALID_CREDENTIALS: 'The email address or password is incorrect.',
  INVALID_REFRESH_TOKEN: 'The refresh token is not valid. Sign in again.',
  REAUTHENTICATION_REQUIRED: 'Enter your current password to do this.',
  EMAIL_IN_USE: 'That email address is already in use.',
  BAD_USER_INPUT: 'The input is not valid.',
  NOT_FOUND: 'No such session.',
  RATE_LIMITED: 'Too many failed attempts. Try again later.',
  ACCOUNT_DISABLED: 'This account has been disabled.',
  INTERNAL_SERVER_ERROR: 'Something went wrong.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Try again shortly.',
};

/**
 * INVALID_CREDENTIALS for a wrong `currentPassword`: the caller is signed in, so only the password
 * can be wrong, and naming the email address too would only confuse.
 */
export const WRONG_CURRENT_PASSWORD_MESSAGE = 'The current password is incorrect.';

export type ErrorExtensions = Readonly<Record<string, string | number>>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly extensions: ErrorExtensions;
  constructor(
    code: ErrorCode,
    extensions: ErrorExtensions = {},
    message: string = ERROR_MESSAGES[code],
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.extensions = extensions;
  }
}
