// A database failure in the middle of a resolver is a 503 with SERVICE_UNAVAILABLE, the same as
// one while the context is built, so that load balancers and clients see "retry", not "bug".
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { errorOf, me, signUp, useTestAppBehindProxy } from './harness.ts';

const lines: string[] = [];
const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
const { app, proxy } = useTestAppBehindProxy({ logger });

describe('a database cut while a resolver runs', () => {
  it('answers HTTP 503 SERVICE_UNAVAILABLE after the access token check passed', async () => {
    const auth = await signUp(app);
    await app.gql('{ sessions { id } }', {}, auth.accessToken); // every statement prepared
    lines.length = 0;
    const cut = proxy.cutWhen(/from "sessions"/i); // the ORM's query, not the token check's
    const result = await app.gql('{ sessions { id } }', {}, auth.accessToken);
    await cut;
    expect(result.status).toBe(503);
    expect(errorOf(result)).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(result.errors?.[0]?.path).toEqual(['sessions']);
    const levels = lines.map((line) => JSON.parse(line).level);
    expect(levels).not.toContain(50); // a warning, not an error
    expect((await me(app, auth.accessToken)).status).toBe(200);
  });

  it('answers 503 in a mutation too, and 503 even beside fields that succeeded', async () => {
    const auth = await signUp(app);
    const cut = proxy.cutWhen(/insert into "access_tokens"/i);
    const mutation = await app.gql(
      'mutation { revokeAllTokens(currentPassword: "correct horse battery staple") { revokedSessionCount } }',
      {},
      auth.accessToken,
    );
    await cut;
    expect(mutation.status).toBe(503);
    expect(errorOf(mutation)).toEqual({ code: 'SERVICE_UNAVAILABLE' });

    const other = await signUp(app);
    await app.gql('{ me { id } sessions { id } }', {}, other.accessToken);
    const partial = proxy.cutWhen(/from "sessions"/i);
    const result = await app.gql(
      'query { me { id } securityEvents { type } sessions { id } }',
      {},
      other.accessToken,
    );
    await partial;
    expect(result.status).toBe(503);
    expect(result.errors?.map((e) => e.extensions.code)).toContain('SERVICE_UNAVAILABLE');
  });
});
