// `tessera migrate` and `tessera prune`: the schema, and one cleanup pass under the prune lock
// that the servers' timers take too (src/auth/prune.ts).
import { systemClock } from '../auth/clock.ts';
import { prunePass } from '../auth/prune.ts';
import { applyPendingMigrations } from '../db/open-database.ts';
import type { Operator } from './operator.ts';
import { CliError, EXIT_CODES, type Report } from './output.ts';

export async function migrate(operator: Operator): Promise<Report> {
  const applied = await applyPendingMigrations(operator.databaseUrl);
  return {
    json: { applied },
    text: applied.length
      ? `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}`
      : 'The database is up to date: no migration was pending.',
  };
}

export async function prune(operator: Operator, options: { waitSeconds: number }): Promise<Report> {
  const pass = await prunePass({
    em: operator.orm.em.fork(),
    databaseUrl: operator.databaseUrl,
    clock: systemClock,
    settings: operator.config,
    waitMs: options.waitSeconds * 1000,
  });
  if (pass.kind === 'busy') {
    throw new CliError(
      'PRUNE_RUNNING',
      `Another prune pass (a server's, or another tessera prune) was still running after ${options.waitSeconds} s; nothing was pruned here.`,
      EXIT_CODES.CONFLICT,
    );
  }
  const waitedSeconds = Math.round(pass.waitedMs) / 1000;
  const total = Object.values(pass.deleted).reduce((sum, n) => sum + n, 0);
  return {
    json: {
      deleted: pass.deleted,
      waitedSeconds,
      startedAt: pass.startedAt.toISOString(),
      finishedAt: pass.finishedAt.toISOString(),
    },
    text: [
      ...(waitedSeconds >= 1 ? [`Waited ${waitedSeconds} s for another pass to finish.`] : []),
      `Pruned ${total} row(s):`,
      ...Object.entries(pass.deleted).map(([what, n]) => `  ${what}: ${n}`),
    ].join('\n'),
  };
}
