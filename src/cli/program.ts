// The `tessera` command line (commander): every command, its options and help, and how a run
// ends: one report on stdout (a JSON document with --json), diagnostics on stderr, and an exit
// code from output.ts's table. docs/cli.md is the manual.
import { isIP } from 'node:net';
import { text } from 'node:stream/consumers';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EmailAddress } from '../graphql/scalars.ts';
import {
  clearThrottle,
  createUser,
  deleteUser,
  listSessions,
  listUsers,
  revokeSessions,
  setAccountDisabled,
  type Why,
} from './accounts.ts';
import { doctor } from './doctor.ts';
import { migrate, prune } from './maintenance.ts';
import { type Operator, withOperator } from './operator.ts';
import { asCliError, CliError, EXIT_CODES, type ExitCode, type Report } from './output.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Read only by `users create --password-stdin`. */
  stdin: NodeJS.ReadableStream;
}

const wholeNumber =
  (min: number, max: number) =>
  (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return Number(raw);
  };

const ipAddress = (raw: string): string => {
  if (isIP(raw) === 0) throw new InvalidArgumentError('expected an IPv4 or IPv6 address.');
  return raw;
};

/** The API's own rule for an address (the EmailAddress scalar), for the accounts the CLI creates. */
const emailAddress = (raw: string): string => {
  try {
    return EmailAddress.parseValue(raw) as string;
  } catch {
    throw new InvalidArgumentError('expected an email address.');
  }
};

/**
 * The password for `users create`, from stdin: never from argv, which `ps` shows to every user
 * of the machine. One trailing line break is not part of it (`echo`, a here-string, a file).
 */
async function passwordFromStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  // A terminal would echo the password as it is typed, and keep it in its scrollback.
  if ((stdin as { isTTY?: boolean }).isTTY) {
    throw new CliError(
      'USAGE',
      'stdin is a terminal, which would echo the password: pipe it in (from a password manager or a file).',
      EXIT_CODES.USAGE,
    );
  }
  return (await text(stdin)).replace(/\r?\n$/, '');
}

const REASON = ['--reason <text>', 'why, recorded on the account’s security event'] as const;

const EXIT_CODE_HELP = `
Exit codes:
  0  done (doctor: every check passed)
  1  failed: a doctor check, the configuration, the database, or anything unexpected
  2  usage: unknown command or option, a missing or malformed value
  3  not found: no account has that email address
  4  conflict: the address is taken, or a prune pass kept running elsewhere

Configuration comes from the same environment variables as the server (DATABASE_URL, DATA_DIR,
...). With --json, stdout holds one JSON document; messages go to stderr. See docs/cli.md.`;

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.OK;

  /** Runs one command's work and prints what came of it, success or failure. */
  const report = async (command: Command, work: () => Promise<Report>) => {
    const { json } = command.optsWithGlobals<{ json?: boolean }>();
    try {
      const done = await work();
      io.stdout(`${json ? JSON.stringify(done.json, null, 2) : done.text}\n`);
      exitCode = done.exitCode ?? EXIT_CODES.OK;
    } catch (error) {
      const failure = asCliError(error);
      if (json) {
        io.stdout(
          `${JSON.stringify({ error: { code: failure.code, message: failure.message } }, null, 2)}\n`,
        );
      }
      io.stderr(`tessera: ${failure.message}\n`);
      exitCode = failure.exitCode;
    }
  };
  const withDatabase =
    <O>(work: (operator: Operator, options: O) => Promise<Report>) =>
    (options: O, command: Command) =>
      report(command, () => withOperator(env, (operator) => work(operator, options)));

  const program = new Command('tessera')
    .description('Operate a Tessera deployment: accounts, sessions, lockouts, the schema, cleanup.')
    .option('--json', 'print one JSON document on stdout, for programs')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(tessera --help lists the commands)')
    .addHelpText('after', EXIT_CODE_HELP);

  program
    .command('migrate')
    .description('apply pending database migrations (safe while servers run or start)')
    .action(withDatabase((operator) => migrate(operator)));

  program
    .command('prune')
    .description(
      'delete expired tokens, ended sessions, lapsed rate-limit entries and old security events, in one pass; waits for a pass under way elsewhere',
    )
    .option(
      '--wait <seconds>',
      'how long to wait for a pass under way elsewhere',
      wholeNumber(0, 3600),
      120,
    )
    .action(
      withDatabase((operator, options: { wait: number }) =>
        prune(operator, { waitSeconds: options.wait }),
      ),
    );

  const users = program.command('users').description('accounts');
  users
    .command('list')
    .description('list accounts in email order')
    .option('--limit <n>', 'at most this many', wholeNumber(1, 10_000), 100)
    .option('--after <email>', 'start after this address (the previous page’s last)')
    .action(
      withDatabase((operator, options: { limit: number; after?: string }) =>
        listUsers(operator, options),
      ),
    );
  users
    .command('create')
    .description(
      'create an account (no session: its owner logs in); the password is read from stdin',
    )
    .requiredOption('--email <email>', 'its email address', emailAddress)
    .requiredOption(
      '--password-stdin',
      'read the password from stdin (required: never on the command line, where ps shows it)',
    )
    .option(...REASON)
    .action(
      withDatabase(async (operator, options: { email: string } & Why) =>
        createUser(operator, { ...options, password: await passwordFromStdin(io.stdin) }),
      ),
    );
  for (const [name, disabled, description] of [
    [
      'disable',
      true,
      'disable an account: every session ends (refused by every running server when this returns), and login is refused with ACCOUNT_DISABLED until it is enabled',
    ],
    [
      'enable',
      false,
      'enable a disabled account: its password works again (its old sessions stay ended)',
    ],
  ] as const) {
    users
      .command(name)
      .description(description)
      .requiredOption('--email <email>', "the account's email address")
      .option(...REASON)
      .action(
        withDatabase((operator, options: { email: string } & Why) =>
          setAccountDisabled(operator, { ...options, disabled }),
        ),
      );
  }
  users
    .command('delete')
    .description(
      'erase an account: its sessions, tokens and security events; its address is free again at once',
    )
    .requiredOption('--email <email>', "the account's email address")
    .requiredOption('--yes', 'yes, erase it (required: this cannot be undone)')
    .action(withDatabase((operator, options: { email: string }) => deleteUser(operator, options)));

  const sessions = program.command('sessions').description("an account's sessions");
  sessions
    .command('list')
    .description('list the live sessions of an account, newest first')
    .requiredOption('--user <email>', "the account's email address")
    .action(
      withDatabase((operator, options: { user: string }) => listSessions(operator, options.user)),
    );
  sessions
    .command('revoke')
    .description(
      'revoke every session of an account, or one; returns once every running server refuses its tokens',
    )
    .requiredOption('--user <email>', "the account's email address")
    .option('--session <id>', 'only this session (an id from sessions list)')
    .option(...REASON)
    .action(
      withDatabase((operator, options: { user: string; session?: string } & Why) =>
        revokeSessions(operator, { ...options, email: options.user }),
      ),
    );

  const throttle = program
    .command('throttle')
    .description('the limits on failed password attempts');
  throttle
    .command('clear')
    .description(
      'forget the failed password attempts that lock an address out (from every network, or with --ip from that client’s network, and that network’s own count)',
    )
    .requiredOption('--email <email>', 'the locked-out address')
    .option(
      '--ip <ip>',
      "only the failures from this client's network, and the network's own",
      ipAddress,
    )
    .option(...REASON)
    .action(
      withDatabase((operator, options: { email: string; ip?: string } & Why) =>
        clearThrottle(operator, options),
      ),
    );

  program
    .command('doctor')
    .description(
      'check the configuration, that the database answers, pending migrations, clock skew against the database, and that notifications (the token caches’ revocation bus) come back',
    )
    .option('--max-clock-skew <ms>', 'the largest acceptable skew', wholeNumber(0, 3_600_000), 1000)
    .action((options: { maxClockSkew: number }, command: Command) =>
      report(command, () => doctor(env, { maxClockSkewMs: options.maxClockSkew })),
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version end the run as a success; every other parse error is a usage error.
    return error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
  }
  return exitCode;
}
