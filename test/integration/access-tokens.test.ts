import { describe, expect, it } from 'vitest';
import { generateToken } from '../../src/auth/tokens.ts';
import {
  type Auth,
  errorOf,
  expectRevoked,
  me,
  refresh,
  requestStatements,
  signUp,
  startTestApp,
  useTestAppBehindProxy,
} from './harness.ts';

// Through a proxy that sees every statement on the wire, so costs are counted there (the warm
// path of the token cache costs none: token-cache.test.ts).
const { app, proxy } = useTestAppBehindProxy();

describe('access tokens', () => {
  it('expire ACCESS_TOKEN_TTL_SECONDS after issue, with EXPIRED and a WWW-Authenticate header', async () => {
    const auth = await signUp(app);
    app.clock.advance(899);
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    app.clock.advance(1);
    const result = await me(app, auth.accessToken);
    expect(errorOf(result)).toEqual({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
    expect(result.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token has expired"',
    );
  });

  it('never outlive their session', async () => {
    const short = await startTestApp({ settings: { sessionTtlSeconds: 300 } });
    try {
      const auth = await signUp(short);
      expect(auth.expiresIn).toBe(300);
      expect(auth.accessTokenExpiresAt).toBe(auth.session.expiresAt);
      short.clock.advance(300);
      expect(errorOf(await me(short, auth.accessToken))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'EXPIRED',
      });
    } finally {
      await short.close();
    }
  });

  it.each([
    ['no header', () => undefined, 'MISSING'],
    ['another scheme', () => 'Basic dXNlcjpwYXNz', 'MALFORMED'],
    ['a mangled token', () => 'Bearer tsa_AAAA', 'MALFORMED'],
    ['a refresh token', (auth: Auth) => `Bearer ${auth.refreshToken}`, 'MALFORMED'],
    ['a well-formed token never issued', () => `Bearer ${generateToken('access')}`, 'INVALID'],
  ])(
    'with %s, fields that need a user fail UNAUTHENTICATED (%s) and public ones still run',
    async (_, header, reason) => {
      const auth = await signUp(app);
      const value = header(auth);
      const headers: Record<string, string> = value ? { authorization: value } : {};
      const result = await app.gql(
        'mutation($t: String!) { refreshToken(refreshToken: $t) { user { id } } }',
        { t: auth.refreshToken },
        null,
        headers,
      );
      expect(result.data?.refreshToken.user.id).toBe(auth.user.id);
      const meResult = await app.gql('{ me { id } }', {}, null, headers);
      expect(errorOf(meResult)).toEqual({ code: 'UNAUTHENTICATED', reason });
      expect(meResult.headers.has('www-authenticate')).toBe(reason !== 'MISSING');
    },
  );

  it('accept the Bearer scheme in any case (RFC 7235)', async () => {
    const auth = await signUp(app);
    const result = await app.gql('{ me { id } }', {}, null, {
      authorization: `bEaReR ${auth.accessToken}`,
    });
    expect(result.data?.me.id).toBe(auth.user.id);
  });

  it('cost one database statement, a read, and no write when not cached yet', async () => {
    const auth = await signUp(app);
    const before = proxy.statements.length;
    const ormBefore = app.queries.length;
    const result = await app.gql('{ me { id email createdAt } }', {}, auth.accessToken);
    expect(result.data?.me.id).toBe(auth.user.id);
    expect(requestStatements(proxy, before)).toEqual([
      { statement: 'tessera.validate-access-token.v1', text: expect.stringMatching(/^select /) },
    ]);
    expect(app.queries.length).toBe(ormBefore); // nothing through the ORM either
  });

  it('add only what the fields asked for need, and never a write', async () => {
    const auth = await signUp(app);
    const before = proxy.statements.length;
    await app.gql('{ me { id } sessions { id } securityEvents { type } }', {}, auth.accessToken);
    const sent = requestStatements(proxy, before);
    expect(sent).toHaveLength(3); // the token check, then one read per list
    for (const { text } of sent) expect(text).toMatch(/^\s*select /i);
  });

  it('that are malformed are refused without any database statement', async () => {
    const before = proxy.statements.length;
    const result = await app.gql('{ me { id } }', {}, 'tsa_not-a-real-token');
    expect(errorOf(result)).toEqual({ code: 'UNAUTHENTICATED', reason: 'MALFORMED' });
    expect(requestStatements(proxy, before)).toEqual([]);
  });

  it('issued before a refresh keep working until their own expiry', async () => {
    const auth = await signUp(app);
    app.clock.advance(600);
    const next = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    app.clock.advance(299);
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    app.clock.advance(1);
    expect(errorOf(await me(app, auth.accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'EXPIRED',
    });
    expect((await me(app, next.accessToken)).data?.me.id).toBe(auth.user.id);
  });
});

describe('revocation across instances', () => {
  it('a second server on the same database rejects a token on the very next request after logout on the first', async () => {
    const second = await startTestApp();
    try {
      const auth = await signUp(app);
      expect((await me(second, auth.accessToken)).data?.me.id).toBe(auth.user.id);
      const out = await app.gql('mutation { logout }', {}, auth.accessToken);
      expect(out.data?.logout).toBe(true);
      await expectRevoked(second, auth);
    } finally {
      await second.close();
    }
  });
});
