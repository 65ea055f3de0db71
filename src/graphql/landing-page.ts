// The landing page of GET /graphql from a browser: outside production, Apollo Sandbox opened on
// a working example, with the Authorization header ready to fill in and Apollo's telemetry off;
// in production, none (contract section 1). docs/browser-clients.md says how it is used.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

// Apollo escapes only the first `<` and `>` of the page's embedded config: keep this document
// free of them (the header's placeholder has the one pair). One operation with a password at
// most: the request limits refuse a document with two (src/graphql/limits.ts), and the
// Sandbox may send the whole document, whichever operation is run.
const SANDBOX_DOCUMENT = `# 1. Run SignUp and copy accessToken from the result (signed up already? use login instead).
# 2. In Headers below, paste it over the placeholder after "Bearer ".
# 3. Run Me. When the access token expires, run Refresh with the refreshToken.
mutation SignUp {
  signUp(email: "ada@example.com", password: "correct horse battery") {
    accessToken
    expiresIn
    refreshToken
  }
}

mutation Refresh {
  refreshToken(refreshToken: "tsr_paste_your_refresh_token") {
    accessToken
    expiresIn
    refreshToken
  }
}

query Me {
  me {
    id
    email
  }
}
`;

const SANDBOX_HEADERS = { Authorization: 'Bearer <paste your accessToken>' };

export function createLandingPagePlugin(production: boolean): ApolloServerPlugin {
  if (production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    document: SANDBOX_DOCUMENT,
    // The operation's own headers, shown in its Headers tab, where a user looks for them. The
    // placeholder makes the header malformed, which leaves signUp and login anonymous and
    // working (contract section 1).
    headers: SANDBOX_HEADERS,
    // Telemetry would report usage to Apollo from every developer's browser.
    embed: { runTelemetry: false },
  });
}
