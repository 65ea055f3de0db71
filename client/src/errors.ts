// The two ways an operation fails: the server answered with GraphQL errors, or no usable
// answer came back at all.

export interface TesseraErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** The server answered with errors; `code` and `reason` are the first error's (contract §4). */
export class TesseraGraphQLError extends Error {
  readonly errors: readonly TesseraErrorEntry[];
  readonly code: string | undefined;
  readonly reason: string | undefined;
  constructor(errors: readonly TesseraErrorEntry[]) {
    super(errors[0]?.message ?? 'The server answered with an error');
    this.name = 'TesseraGraphQLError';
    this.errors = errors;
    const extensions = errors[0]?.extensions ?? {};
    this.code = typeof extensions.code === 'string' ? extensions.code : undefined;
    this.reason = typeof extensions.reason === 'string' ? extensions.reason : undefined;
  }
}

/** No GraphQL answer: offline, a reset connection, a timeout, a proxy's HTML error page. */
export class TesseraNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TesseraNetworkError';
  }
}

/** True when an answer says the access token it was sent with did not authenticate. */
export function isUnauthenticated(errors: readonly TesseraErrorEntry[] | undefined): boolean {
  return errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED') ?? false;
}
