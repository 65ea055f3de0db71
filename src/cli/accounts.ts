// `tessera users …`, `tessera sessions …`, `tessera throttle clear`: each looks the account up
// by its email, calls one domain function, and shapes the report.
import type { UserView } from '../auth/caller.ts';
import { signOutEverywhere } from '../auth/revocation.ts';
import { listLiveSessions } from '../auth/sessions.ts';
import type { User } from '../db/entities/index.ts';
import { findAccountByEmail, liftLockout, listAccounts } from '../users/operator.ts';
import type { Operator } from './operator.ts';
import { notFound, type Report, table } from './output.ts';

const userJson = (user: UserView) => ({
  id: user.id,
  email: user.email,
  createdAt: user.createdAt.toISOString(),
});

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
            ['ID', 'EMAIL', 'CREATED'],
            users.map((u) => [u.id, u.email, u.createdAt.toISOString()]),
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

export async function revokeSessions(operator: Operator, email: string): Promise<Report> {
  const user = await accountByEmail(operator, email);
  // Returns once every running instance has dropped the account's tokens from its cache.
  const revokedSessionCount = await signOutEverywhere(operator.req, user.id);
  if (revokedSessionCount === null) throw notFound(); // deleted in between
  return {
    json: { user: userJson(user), revokedSessionCount },
    text: `Revoked ${revokedSessionCount} live session${revokedSessionCount === 1 ? '' : 's'}; every token of the account is refused from now on.`,
  };
}

export async function clearThrottle(
  operator: Operator,
  target: { email: string; ip?: string },
): Promise<Report> {
  const cleared = await liftLockout(operator.req, operator.pool, target);
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
