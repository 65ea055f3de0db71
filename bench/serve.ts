// A production-mode server on BENCH_DATABASE_URL, in a process of its own so the load
// generator does not share its event loop. Prints its URL as one JSON line; stops on SIGTERM.
import { startApp } from '../test/app.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is required');
const app = await startApp({ databaseUrl, production: true });
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
