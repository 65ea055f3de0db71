// What the CLI prints and the exit codes scripts rely on (docs/cli.md). A command returns a
// report: one JSON document for `--json`, and text for a person; diagnostics go to stderr, so
// that stdout holds nothing but the answer.
import { AppError } from '../errors.ts';
import { isDatabaseUnavailable } from '../graphql/errors.ts';

export const EXIT_CODES = {
  /** Done; every doctor check passed. */
  OK: 0,
  /** A doctor check failed, the configuration is bad, the database cannot be reached, or a bug. */
  FAILED: 1,
  /** The command line is wrong: unknown command or option, a missing or malformed value. */
  USAGE: 2,
  /** No account has that email address. */
  NOT_FOUND: 3,
  /** The state forbids it now: the address is taken, or a prune pass runs elsewhere. */
  CONFLICT: 4,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface Report {
  /** The `--json` document. */
  readonly json: unknown;
  /** The same for a person; printed with a final newline. */
  readonly text: string;
  readonly exitCode?: ExitCode;
}

/** A failure the CLI expected: a code for programs, a message for people, an exit code. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(code: string, message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export const notFound = (what = 'No account has that email address.') =>
  new CliError('NOT_FOUND', what, EXIT_CODES.NOT_FOUND);

/** The message of `error`, or of the first error an AggregateError (every address refused) holds. */
function messageOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}

/** Any error as the CliError it is, so that every failure exits with a documented code. */
export function asCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof AppError) {
    if (error.code === 'BAD_USER_INPUT')
      return new CliError('USAGE', error.message, EXIT_CODES.USAGE);
    if (error.code === 'NOT_FOUND') return notFound(error.message);
    if (error.code === 'EMAIL_IN_USE')
      return new CliError('EMAIL_IN_USE', error.message, EXIT_CODES.CONFLICT);
    return new CliError(error.code, error.message, EXIT_CODES.FAILED);
  }
  const message = messageOf(error);
  // undefined_table: a database nobody has migrated yet (the CLI never migrates on its own).
  if ((error as { code?: unknown } | null)?.code === '42P01') {
    return new CliError(
      'NOT_MIGRATED',
      'The database has no Tessera tables yet: run tessera migrate first.',
      EXIT_CODES.FAILED,
    );
  }
  if (isDatabaseUnavailable(error)) {
    return new CliError(
      'DATABASE_UNAVAILABLE',
      `The database cannot be reached: ${message}`,
      EXIT_CODES.FAILED,
    );
  }
  return new CliError('FAILED', message || 'failed', EXIT_CODES.FAILED);
}

/** A table for people: one row per item, columns padded to their widest cell. */
export function table(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = [
    headers,
    ...rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}
