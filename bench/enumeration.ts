// Does `login` take as long for an unknown email as for a wrong password? Both run one argon2id
// verify at the production parameters (the unknown email against a dummy hash). Interleaved in
// random order, so drift on a noisy machine hits both alike; reported as medians and a ratio.
import { createPasswordHasher } from '../src/auth/passwords.ts';
import { type GraphQLResult, login, signUp, startApp, uniqueEmail } from '../test/app.ts';
import { benchDatabase, quantile, record } from './support.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 300);

const database = await benchDatabase();
const app = await startApp({
  databaseUrl: database.url,
  passwords: createPasswordHasher(),
  loginMaxFailures: 1_000_000,
  ipMaxFailures: 1_000_000,
  production: true,
});
try {
  const email = uniqueEmail('bench');
  await signUp(app, email);
  const wrongPassword = () => login(app, email, 'not the password at all');
  const unknownEmail = () => login(app, uniqueEmail('nobody'), 'not the password at all');
  const timed = async (attempt: () => Promise<GraphQLResult>) => {
    const started = performance.now();
    const result = await attempt();
    const elapsed = performance.now() - started;
    if (result.errors?.[0]?.extensions.code !== 'INVALID_CREDENTIALS')
      throw new Error('unexpected answer');
    return elapsed;
  };
  for (let i = 0; i < 20; i++) {
    await timed(wrongPassword); // warm-up: JIT, connections, the dummy hash
    await timed(unknownEmail);
  }
  const times = { wrong: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    if (Math.random() < 0.5) {
      times.wrong.push(await timed(wrongPassword));
      times.unknown.push(await timed(unknownEmail));
    } else {
      times.unknown.push(await timed(unknownEmail));
      times.wrong.push(await timed(wrongPassword));
    }
  }
  const row = (name: string, xs: number[]) =>
    `| ${name} | ${quantile(xs, 0.5).toFixed(2)} | ${quantile(xs, 0.1).toFixed(2)} | ${quantile(xs, 0.9).toFixed(2)} |`;
  const ratio = quantile(times.unknown, 0.5) / quantile(times.wrong, 0.5);
  record(
    'User enumeration: login timing, unknown email vs wrong password',
    'npm run bench:enumeration',
    `${ROUNDS} of each, interleaved in random order, over HTTP, argon2id m=19456 t=2 p=1.

| attempt | median ms | p10 ms | p90 ms |
|---|---|---|---|
${row('wrong password', times.wrong)}
${row('unknown email', times.unknown)}

**median(unknown) / median(wrong) = ${ratio.toFixed(3)}**`,
  );
} finally {
  await app.close();
  await database.close();
}
