// The common refresh is one statement (one round trip), no ORM; and a cut before its answer
// changes nothing.
import { describe, expect, it } from 'vitest';
import {
  errorOf,
  me,
  refresh,
  requestStatements,
  signUp,
  useTestAppBehindProxy,
} from './harness.ts';

const { app, proxy } = useTestAppBehindProxy();

describe('refreshToken() of an unspent token', () => {
  it('costs one statement, one round trip, and nothing through the ORM', async () => {
    const auth = await signUp(app);
    const before = proxy.statements.length;
    const ormBefore = app.queries.length;
    const result = await refresh(app, auth.refreshToken);
    expect(result.errors).toBeUndefined();
    expect(
      requestStatements(proxy, before).map((s) => s.statement || s.text?.trim().toLowerCase()),
    ).toEqual(['tessera.rotation.v2']);
    expect(app.queries.length).toBe(ormBefore);
  });

  it('changes nothing when the database is cut off as it is sent', async () => {
    const auth = await signUp(app);
    // By name: a named statement is parsed once per connection, then only bound and executed.
    const cut = proxy.cutWhen(/tessera\.rotation\.v2/);
    const result = await refresh(app, auth.refreshToken);
    await cut;
    expect(errorOf(result)).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    // The token is unspent still: it rotates now, and the old access token still works.
    const again = await refresh(app, auth.refreshToken);
    expect(again.errors).toBeUndefined();
    expect((await me(app, again.data?.refreshToken.accessToken)).data?.me.id).toBe(auth.user.id);
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
  });
});
