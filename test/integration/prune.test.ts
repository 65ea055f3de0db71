import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pruneExpired } from '../../src/auth/prune.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { createMigratedDatabase } from '../database.ts';
import {
  DEFAULT_SETTINGS,
  errorOf,
  login,
  me,
  refresh,
  signUp,
  startTestApp,
  type TestApp,
} from './harness.ts';

// A database of its own: pruning 100 days ahead would delete other test files' sessions.
let database: { url: string; drop(): Promise<void> };
let app: TestApp;
let db: pg.Client;
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
  app = await startTestApp({ databaseUrl: database.url });
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await app.close();
  await database.drop();
});

const SETTINGS = { ...DEFAULT_SETTINGS, securityEventRetentionDays: 90 };
const DAY = 86_400;

async function count(sql: string, params: unknown[]): Promise<number> {
  return Number(
    (await db.query<{ n: string }>(`select count(*) as n from ${sql}`, params)).rows[0]?.n,
  );
}

describe('pruneExpired', () => {
  it('deletes only what can no longer be used, in batches, and leaves live sessions working', async () => {
    const gone = await signUp(app);
    await app.gql('mutation { logout }', {}, gone.accessToken);
    const kept = await signUp(app);
    const spent = kept.refreshToken;
    const rotated = (await refresh(app, spent)).data?.refreshToken;

    app.clock.advance(100 * DAY); // past the events' retention and the ended session's
    // A session that is still alive: refreshed regularly all along (here, once, just now).
    const alive = (await login(app, kept.user.email)).data?.login;
    const deleted = await pruneExpired(app.orm.em.fork(), app.clock, SETTINGS, 2);

    expect(deleted.accessTokens).toBeGreaterThanOrEqual(3);
    expect(deleted.sessions).toBeGreaterThanOrEqual(2); // the revoked one and the idle one
    expect(deleted.refreshTokens).toBeGreaterThanOrEqual(3); // theirs, before the sessions
    expect(deleted.securityEvents).toBeGreaterThanOrEqual(3);
    expect(deleted.successorSeals).toBeGreaterThanOrEqual(1);
    expect(
      await count('sessions where id = $1 or id = $2', [gone.session.id, kept.session.id]),
    ).toBe(0);
    expect(
      await count('refresh_tokens where token_hash = $1', [hashToken(rotated.refreshToken)]),
    ).toBe(0);
    expect(await count('security_events where user_id = $1', [gone.user.id])).toBe(0);

    // What is in use is untouched: the live session, its tokens, its recent event.
    expect((await me(app, alive.accessToken)).data?.me.id).toBe(kept.user.id);
    expect((await refresh(app, alive.refreshToken)).errors).toBeUndefined();
    const events = await app.gql('{ securityEvents { type } }', {}, alive.accessToken);
    expect(events.data?.securityEvents).toEqual([{ type: 'LOGIN_SUCCEEDED' }]);
    expect(errorOf(await refresh(app, gone.refreshToken))).toEqual({
      code: 'INVALID_REFRESH_TOKEN',
      reason: 'INVALID',
    });
  });

  it('keeps spent refresh tokens as long as their session, so reuse is still caught', async () => {
    const auth = await signUp(app);
    const next = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    app.clock.advance(DAY);
    await refresh(app, next.refreshToken);
    await pruneExpired(app.orm.em.fork(), app.clock, SETTINGS);
    const replay = await refresh(app, auth.refreshToken);
    expect(errorOf(replay)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'REUSED' });
    const sealed = await count(
      'refresh_tokens where token_hash = $1 and successor_seal is not null',
      [hashToken(auth.refreshToken)],
    );
    expect(sealed).toBe(0); // the retry window is long past: its sealed successor is gone
  });
});
