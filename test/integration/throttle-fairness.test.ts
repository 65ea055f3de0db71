// What the password limits must not do: mistake concurrency for guessing, count a failure that
// never happened, or let one IPv6 network guess from as many addresses as it has.
import { describe, expect, it } from 'vitest';
import {
  errorOf,
  PASSWORD,
  signUp,
  uniqueEmail,
  useTestApp,
  useTestAppBehindProxy,
} from './harness.ts';

const LOGIN =
  'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
const proxied = useTestApp({ trustProxy: true, loginMaxFailures: 3, ipMaxFailures: 100 });

/** An address of the documentation ranges, different for every call in this run. */
let next = 0;
function freshIpv4(): string {
  next += 1;
  return `198.51.${(process.pid + next) % 250}.${(next % 250) + 1}`;
}

describe('concurrent correct logins from one IP', () => {
  it('all succeed, and the IP is not locked out afterwards', async () => {
    const ip = { 'x-forwarded-for': freshIpv4() };
    const emails = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const email = uniqueEmail('office');
        await signUp(proxied, email);
        return email;
      }),
    );
    const results = await Promise.all(
      emails.map((e) => proxied.gql(LOGIN, { e, p: PASSWORD }, null, ip)),
    );
    const codes = results.map((r) => errorOf(r).code ?? 'OK');
    expect(codes.filter((c) => c !== 'OK')).toEqual([]);
    const after = await proxied.gql(LOGIN, { e: emails[0], p: PASSWORD }, null, ip);
    expect(after.errors).toBeUndefined();
  });

  it('still checks no more wrong guesses than the limit when they arrive at once', async () => {
    const ip = { 'x-forwarded-for': freshIpv4() };
    const email = uniqueEmail();
    await signUp(proxied, email);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        proxied.gql(LOGIN, { e: email, p: `guess ${i}` }, null, ip),
      ),
    );
    const codes = results.map((r) => errorOf(r).code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(17);
  });
});

describe('IPv6 clients', () => {
  it('are limited per /64 network, not per address', async () => {
    const email = uniqueEmail();
    await signUp(proxied, email);
    const net = `2001:db8:${(process.pid % 0xfff).toString(16)}:${(Date.now() % 0xffff).toString(16)}`;
    for (let i = 1; i <= 3; i++) {
      const r = await proxied.gql(LOGIN, { e: email, p: 'wrong one!' }, null, {
        'x-forwarded-for': `${net}::${i}`,
      });
      expect(errorOf(r)).toEqual({ code: 'INVALID_CREDENTIALS' });
    }
    const sameNetwork = await proxied.gql(LOGIN, { e: email, p: PASSWORD }, null, {
      'x-forwarded-for': `${net}:ffff:ffff:ffff:fffe`,
    });
    expect(errorOf(sameNetwork)).toEqual({ code: 'RATE_LIMITED' });
    const otherNetwork = await proxied.gql(LOGIN, { e: email, p: PASSWORD }, null, {
      'x-forwarded-for': `2001:db8:ffff:${(Date.now() % 0xffff).toString(16)}::1`,
    });
    expect(otherNetwork.errors).toBeUndefined();
  });
});

describe('a request cut between counting an attempt and settling it', () => {
  // Its own client IP: 127.0.0.1's count is shared with every other test file.
  const { app, proxy } = useTestAppBehindProxy({ trustProxy: true, ipMaxFailures: 3 });

  it('leaves no phantom failure behind', async () => {
    const email = uniqueEmail();
    const ip = { 'x-forwarded-for': freshIpv4() };
    await signUp(app, email);
    for (let i = 0; i < 5; i++) {
      // Cut the database off at the statement that settles a correct attempt.
      const cut = proxy.cutWhen(
        /DELETE FROM \S*password_failure_counters\S* WHERE key|delete from "?rate_limit_entries"? where "?attempt_id/i,
      );
      await app.gql(LOGIN, { e: email, p: PASSWORD }, null, ip);
      await Promise.race([cut, new Promise((r) => setTimeout(r, 100))]);
    }
    // Only correct passwords so far: three wrong ones are still allowed from this IP.
    for (let i = 0; i < 3; i++) {
      const wrong = await app.gql(LOGIN, { e: email, p: 'wrong password!' }, null, ip);
      expect(errorOf(wrong)).toEqual({ code: 'INVALID_CREDENTIALS' });
    }
    const right = await app.gql(LOGIN, { e: email, p: PASSWORD }, null, ip);
    expect(errorOf(right)).toEqual({ code: 'RATE_LIMITED' });
  });
});

describe('a wrong password whose failure cannot be written', () => {
  const { app, proxy } = useTestAppBehindProxy({ trustProxy: true, loginMaxFailures: 1 });
  const COUNT_FAILURE = /set kind = 'failure'/;

  it('is never given back: the next attempt is still held to the limit', async () => {
    const email = uniqueEmail();
    const ip = { 'x-forwarded-for': freshIpv4() };
    await signUp(app, email);
    // Cut the database off at the statement that counts the failure, and again at its retry.
    void proxy.cutWhen(COUNT_FAILURE).then(() => proxy.cutWhen(COUNT_FAILURE));
    const wrong = await app.gql(LOGIN, { e: email, p: 'wrong password!' }, null, ip);
    expect(wrong.data?.login).toBeUndefined();
    const right = await app.gql(LOGIN, { e: email, p: PASSWORD }, null, ip);
    expect(errorOf(right)).toEqual({ code: 'RATE_LIMITED' });
  });
});
