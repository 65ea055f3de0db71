// The production entry as the README's `npm start` runs it, minus npm: `node` itself, with the
// flags package.json's `start` gives it, running the TypeScript sources by stripping their
// types, so that signals reach the server and nothing else. Read from package.json, so that
// the command tests and benchmarks run is the one production runs (one place for its flags).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const start: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).scripts.start;
// An `exec` in front (the shell then becomes node, so signals reach it) changes nothing here.
const [program, ...args] = start.replace(/^exec\s+/, '').split(/\s+/);
if (program !== 'node' || args.some((arg) => /["'$;&|<>]/.test(arg))) {
  throw new Error(`package.json's start is not a plain \`node …\` command: ${start}`);
}

/** argv of the production process; spawn it with `cwd: ROOT`. */
export const PRODUCTION_COMMAND: readonly [string, ...string[]] = [process.execPath, ...args];
