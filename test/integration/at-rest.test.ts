import pg from 'pg';
import { expect, inject, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import {
  type Auth,
  login,
  must,
  PASSWORD,
  refresh,
  signUp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const app = useTestApp();

/** Every row of every table in the schema, as text. */
async function dumpDatabase(): Promise<string> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public'",
    );
    const rows: string[] = [];
    for (const { tablename } of tables.rows) {
      const result = await client.query(`select row_to_json(t)::text as row from "${tablename}" t`);
      rows.push(...result.rows.map((r: { row: string }) => r.row));
    }
    return rows.join('\n');
  } finally {
    await client.end();
  }
}

it('leaves no plaintext token or password anywhere in the database after a session’s life', async () => {
  const email = uniqueEmail();
  const secrets: string[] = [PASSWORD, 'the next password!'];
  const first = await signUp(app, email);
  const second = (await refresh(app, first.refreshToken)).data?.refreshToken as Auth;
  await refresh(app, first.refreshToken); // a retry within the window: the sealed successor is used
  const third = (await refresh(app, second.refreshToken)).data?.refreshToken as Auth;
  const changed = await must(
    app,
    `mutation { changePassword(currentPassword: "${PASSWORD}", newPassword: "the next password!") { accessToken refreshToken } }`,
    {},
    third.accessToken,
  );
  const last = (await login(app, email, 'the next password!')).data?.login as Auth;
  await must(app, 'mutation { logout }', {}, last.accessToken);
  for (const auth of [first, second, third, changed, last])
    secrets.push(auth.accessToken, auth.refreshToken);

  const dump = await dumpDatabase();
  expect(dump).toContain(hashToken(first.refreshToken)); // the scan does see the token tables
  for (const secret of secrets) {
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(4, 40)); // the random part without its prefix
    expect(dump).not.toContain(Buffer.from(secret).toString('hex'));
    expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
  }
});
