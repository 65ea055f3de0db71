// signUp is bounded per client IP (SIGNUP_MAX_PER_IP per hour), shared by every instance, so
// that an anonymous caller can neither mint accounts nor probe EMAIL_IN_USE without limit.
import { describe, expect, it } from 'vitest';
import { errorOf, PASSWORD, uniqueEmail, useTestApp } from './harness.ts';

const LIMIT = 3;
const SIGN_UP =
  'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }';
const app = useTestApp({ trustProxy: true, signupMaxPerIp: LIMIT });
const other = useTestApp({ trustProxy: true, signupMaxPerIp: LIMIT });

let next = 0;
function freshIp(): Record<string, string> {
  next += 1;
  return { 'x-forwarded-for': `203.0.${(process.pid + next) % 250}.${(next % 250) + 1}` };
}

describe('signUp per client IP', () => {
  it('refuses the attempt past SIGNUP_MAX_PER_IP with RATE_LIMITED and retryAfter, probes included', async () => {
    const ip = freshIp();
    const taken = uniqueEmail();
    expect((await app.gql(SIGN_UP, { e: taken, p: PASSWORD }, null, ip)).errors).toBeUndefined();
    // Probing a taken address counts like a sign-up.
    expect(errorOf(await app.gql(SIGN_UP, { e: taken, p: PASSWORD }, null, ip))).toEqual({
      code: 'EMAIL_IN_USE',
    });
    expect(
      (await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip)).errors,
    ).toBeUndefined();
    const refused = await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip);
    expect(errorOf(refused)).toEqual({ code: 'RATE_LIMITED' });
    const retryAfter = refused.errors?.[0]?.extensions.retryAfter;
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Refused on the other instance too, and a taken address no longer says so.
    expect(errorOf(await other.gql(SIGN_UP, { e: taken, p: PASSWORD }, null, ip))).toEqual({
      code: 'RATE_LIMITED',
    });
    // Another client is not affected.
    expect(
      (await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, freshIp())).errors,
    ).toBeUndefined();
  });

  it('lets no more than the limit through when sign-ups arrive at once on two instances', async () => {
    const ip = freshIp();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? app : other).gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip),
      ),
    );
    const codes = results.map((r) => errorOf(r).code ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(LIMIT);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(12 - LIMIT);
  });

  it('opens again once the hour has passed', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++)
      await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip);
    expect(errorOf(await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip))).toEqual({
      code: 'RATE_LIMITED',
    });
    app.clock.advance(3601);
    expect(
      (await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip)).errors,
    ).toBeUndefined();
  });

  it('checks the input before counting: a malformed request costs nothing', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT + 2; i++) {
      expect(errorOf(await app.gql(SIGN_UP, { e: uniqueEmail(), p: 'short' }, null, ip)).code).toBe(
        'BAD_USER_INPUT',
      );
    }
    expect(
      (await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, ip)).errors,
    ).toBeUndefined();
  });
});
