// The Apollo Sandbox landing page as a developer meets it: served over real HTTP, opened on an
// example that works against this server, the Authorization header prepared, telemetry off.
// (Apollo's CDN, which draws the Sandbox, is out of reach here; the page that loads it is not.)
import { expect, it } from 'vitest';
import { useTestApp } from './harness.ts';

const app = useTestApp();

interface SandboxConfig {
  runTelemetry: boolean;
  initialState: { document: string; headers: Record<string, string> };
}

/** The config the served page hands to Apollo's EmbeddedSandbox. */
async function servedSandboxConfig(): Promise<SandboxConfig> {
  const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const match = /var embeddedSandboxConfig = (\{.*\});/.exec(await page.text());
  expect(match, 'the page embeds a Sandbox config').not.toBeNull();
  return JSON.parse(match?.[1] as string) as SandboxConfig;
}

/** Runs one operation of a document as the Sandbox does: the whole document, one name. */
async function run(
  query: string,
  operationName: string,
  headers: Record<string, string>,
): Promise<{ data: Record<string, any>; errors?: Array<{ extensions: any }> }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, operationName }),
  });
  return (await response.json()) as any;
}

it('opens the Sandbox on an example operation with the Authorization header prepared and telemetry off', async () => {
  const config = await servedSandboxConfig();
  expect(config.runTelemetry).toBe(false);
  expect(config.initialState.headers).toEqual({
    Authorization: 'Bearer <paste your accessToken>',
  });
  expect(config.initialState.document).toMatch(/query Me \{\s*me \{\s*id\s*email\s*\}\s*\}/);
});

it('the example works as its comments say: sign up with the placeholder, paste the token, run Me', async () => {
  const { document, headers } = (await servedSandboxConfig()).initialState;
  // The placeholder header is malformed, which never blocks signing up (contract section 1).
  const signedUp = await run(document, 'SignUp', headers);
  expect(signedUp.errors).toBeUndefined();
  const { accessToken, refreshToken } = signedUp.data.signUp;
  const unpasted = await run(document, 'Me', headers);
  expect(unpasted.errors?.[0]?.extensions).toMatchObject({
    code: 'UNAUTHENTICATED',
    reason: 'MALFORMED',
  });
  const pasted = { Authorization: `${headers.Authorization}`.replace(/<.*>/, accessToken) };
  expect((await run(document, 'Me', pasted)).data?.me.email).toBe('ada@example.com');
  const withRefreshToken = document.replace('tsr_paste_your_refresh_token', refreshToken);
  const refreshed = await run(withRefreshToken, 'Refresh', headers);
  expect(refreshed.data?.refreshToken.accessToken).toMatch(/^tsa_/);
});
