// The production entry as the README's `npm start` runs it, minus npm: `node` itself, running
// the TypeScript sources by stripping their types, so that signals reach the server and
// nothing else.
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** argv of the production process; spawn it with `cwd: ROOT`. */
export const PRODUCTION_COMMAND: readonly [string, ...string[]] = [process.execPath, 'src/main.ts'];
