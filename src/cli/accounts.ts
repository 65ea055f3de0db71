// `tessera users …`, `tessera sessions …`, `tessera throttle clear`: each calls one domain
// function for the account an email address names, and shapes the report. What an operator
// changes is recorded on the account with the operator as its actor (operator.ts).
import type { UserView } from '../auth/caller.ts';
import { revokeSessionOfAccount, signOutEverywhere } from '../auth/revocation.ts';
import { listLiveSessions } from '../auth/sessions.ts';
import type { User } from '../db/entities/index.ts';
import { createUserByOperator } from '../users/accounts.ts';
import { deleteAccountByOperator, disableAccount, enableAccount } from '../users/lifecycle.ts';
import { findAccountByEmail, liftLockout, listAccounts } from '../users/operator.ts';
import type { Operator } from './operator.ts';
import { notFound, type Report, table } from './output.ts';

const userJson = (user: UserView & { disabledAt?: Date | null }) => ({
  id: user.id,
  email: user.email,
  createdAt: user.createdAt.toISOString(),
  disabledAt: user.disabledAt?.toISOString() ?? null,
});

/** What the operator may add to the security event: why. */
export interface Why {
  reason?: string;
}

async function accountByEmail({ req }: Operator, email: string): Promise<User> {
  const user = await findAccountByEmail(req, email);
  if (!user) throw notFound();
  return user;
}

export async function listUsers(
  operator: Operator,
  page: { limit: number; after?: string },
): Promise<Report> {
  const users = await listAccounts(operator.req, { limit: page.limit, afterEmail: page.after });
  const next = users.length === page.limit ? (users.at(-1)?.email ?? null) : null;
  return {
    json: { users: users.map(userJson), next },
    text: [
      users.length
        ? table(
            ['ID', 'EMAIL', 'CREATED', 'DISABLED'],
            users.map((u) => [
              u.id,
              u.email,
              u.createdAt.toISOString(),
              u.disabledAt?.toISOString() ?? null,
            ]),
          )
        : 'No accounts.',
      ...(next ? [`(more: --after ${next})`] : []),
    ].join('\n'),
  };
}

export async function listSessions(operator: Operator, email: string): Promise<Report> {
  const user = await accountByEmail(operator, email);
  const sessions = await listLiveSessions(operator.req, user.id);
  return {
    json: {
      user: userJson(user),
      sessions: sessions.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        userAgent: s.userAgent ?? null,
        ipAddress: s.ipAddress ?? null,
      })),
    },
    text: sessions.length
      ? table(
          ['ID', 'CREATED', 'LAST USED', 'EXPIRES', 'IP', 'USER AGENT'],
          sessions.map((s) => [
            s.id,
            s.createdAt.toISOString(),
            s.lastUsedAt.toISOString(),
            s.expiresAt.toISOString(),
            s.ipAddress ?? null,
            s.userAgent ?? null,
          ]),
        )
      : 'No live sessions.',
  };
}

export async function revokeSessions(
  operator: Operator,
  input: { email: string; session?: string } & Why,
): Promise<Report> {
  const user = await accountByEmail(operator, input.email);
  const by = { actor: operator.actor, reason: input.reason };
  // Either returns once every running instance has dropped the tokens from its cache.
  if (input.session !== undefined) {
    const target = { userId: user.id, sessionId: input.session, by };
    if (!(await revokeSessionOfAccount(operator.req, target))) {
      throw notFound('That is not one of the account’s live sessions.');
    }
    return {
      json: { user: userJson(user), revokedSessionCount: 1 },
      text: 'Revoked the session; its tokens are refused from now on.',
    };
  }
  const revokedSessionCount = await signOutEverywhere(operator.req, user.id, by);
  if (revokedSessionCount === null) throw notFound(); // deleted in between
  return {
    json: { user: userJson(user), revokedSessionCount },
    text: `Revoked ${revokedSessionCount} live session${revokedSessionCount === 1 ? '' : 's'}; every token of the account is refused from now on.`,
  };
}

export async function clearThrottle(
  operator: Operator,
  target: { email: string; ip?: string } & Why,
): Promise<Report> {
  const cleared = await liftLockout(operator.req, operator.pool, {
    ...target,
    actor: operator.actor,
  });
  const from = target.ip === undefined ? 'from every network' : "from that client's network";
  return {
    json: {
      cleared: { emailFailures: cleared.emailFailures, networkFailures: cleared.networkFailures },
      user: cleared.account ? userJson(cleared.account) : null,
    },
    text: [
      `Forgot ${cleared.emailFailures} failed password attempt(s) at that address ${from}.`,
      ...(target.ip === undefined
        ? []
        : [
            `Forgot ${cleared.networkFailures} failed attempt(s) counted against the network itself.`,
          ]),
      ...(cleared.account ? [] : ['No account has that address (nothing recorded).']),
    ].join('\n'),
  };
}

export async function createUser(
  operator: Operator,
  input: { email: string; password: string } & Why,
): Promise<Report> {
  const user = await createUserByOperator(operator.req, { ...input, actor: operator.actor });
  return {
    json: { user: userJson(user) },
    text: `Created the account ${user.id}; it has no session until its owner logs in.`,
  };
}

/** disable and enable: the same shape, the state asked for. */
export async function setAccountDisabled(
  operator: Operator,
  input: { email: string; disabled: boolean } & Why,
): Promise<Report> {
  const action = {
    account: { email: input.email },
    actor: operator.actor,
    reason: input.reason,
  };
  // disableAccount returns once every running instance refuses the account's tokens.
  const change = await (input.disabled ? disableAccount : enableAccount)(operator.req, action);
  const user = await accountByEmail(operator, input.email);
  const state = input.disabled ? 'disabled' : 'enabled';
  return {
    json: {
      user: userJson(user),
      changed: change.changed,
      revokedSessionCount: change.revokedSessionCount,
    },
    text: change.changed
      ? `The account is ${state}${input.disabled ? `; revoked ${change.revokedSessionCount} live session(s)` : ''}.`
      : `The account was already ${state}; nothing changed.`,
  };
}

export async function deleteUser(operator: Operator, input: { email: string }): Promise<Report> {
  const user = await accountByEmail(operator, input.email);
  const { revokedSessionCount } = await deleteAccountByOperator(operator.req, {
    account: { userId: user.id },
  });
  return {
    json: { deleted: { id: user.id, email: user.email }, revokedSessionCount },
    text: `Deleted the account ${user.id} with its sessions, tokens and security events; the address is free again.`,
  };
}
