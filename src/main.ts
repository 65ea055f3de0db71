// Composition root: config → database → server → listen; the prune schedule; graceful shutdown.
import { systemClock } from './auth/clock.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { prunePass } from './auth/prune.ts';
import { startRevocationBus } from './auth/revocation-bus.ts';
import { createThrottle } from './auth/throttle.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/open-database.ts';
import { createPool } from './db/pool.ts';
import { createContextFactory } from './graphql/context.ts';
import { createMetricsServer } from './http/metrics-server.ts';
import { createTesseraServer } from './http/server.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Tessera cannot start: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  const { orm, databaseUrl } = database;
  // Counted only where they can be read: without METRICS_PORT nothing is kept.
  const metrics = config.metricsPort === undefined ? undefined : createMetrics();

  const pool = createPool(databaseUrl, (err) =>
    logger.warn({ err }, 'idle database connection lost'),
  );
  const throttle = createThrottle({
    pool,
    clock: systemClock,
    maxFailuresPerEmailAndIp: config.loginMaxFailures,
    maxSignUpsPerIp: config.signupMaxPerIp,
  });
  const revocations = await startRevocationBus({
    databaseUrl,
    pool,
    cacheSize: config.tokenCacheSize,
    leaseMs: config.tokenCacheLeaseSeconds * 1000,
    onError: (err) => logger.warn({ err }, 'token cache listener lost; checks go to the database'),
    metrics: metrics?.auth,
  });
  metrics?.watchPools({
    orm: () => orm.em.fork().getConnection().getNativeClient(),
    throttle: () => pool,
  });
  metrics?.watchTokenCache(revocations);
  const server = createTesseraServer({
    orm,
    createContext: createContextFactory({
      orm,
      auth: {
        clock: systemClock,
        settings: config,
        passwords: createPasswordHasher(),
        throttle,
        revocations,
        metrics: metrics?.auth,
      },
    }),
    production: config.production,
    trustProxy: config.trustProxy,
    logger,
    corsOrigins: config.corsOrigins,
    refreshCookieSameSite: config.refreshCookieSameSite,
    metrics: metrics?.requests,
  });
  const port = await server.listen(config.port);
  logger.info({ port }, `Tessera is listening on http://localhost:${port}/graphql`);
  const metricsServer = metrics && createMetricsServer({ render: metrics.render, logger });
  if (metricsServer) {
    const metricsPort = await metricsServer.listen(config.metricsPort ?? 0);
    logger.info({ metricsPort }, `Metrics are served on http://localhost:${metricsPort}/metrics`);
  }

  // Every instance keeps the schedule; the prune lock lets one pass run at a time, and an
  // instance that finds a pass under way (another's, or `tessera prune`) skips its turn.
  /** The pass under way, if any: shutdown lets it finish before closing the pools it uses. */
  let pruning: Promise<void> | undefined;
  const pruneTimer =
    config.pruneIntervalSeconds > 0
      ? setInterval(() => {
          pruning = prunePass({
            em: orm.em.fork(),
            databaseUrl,
            clock: systemClock,
            settings: config,
          })
            .then((pass) =>
              pass.kind === 'pruned'
                ? logger.info({ deleted: pass.deleted }, 'pruned expired data')
                : logger.debug('another prune pass is under way; skipped this one'),
            )
            .catch((err: unknown) => logger.warn({ err }, 'pruning failed; will try again'))
            .finally(() => {
              pruning = undefined;
            });
        }, config.pruneIntervalSeconds * 1000).unref()
      : undefined;

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const timeoutSeconds = config.shutdownTimeoutSeconds;
    logger.info({ signal, timeoutSeconds }, 'shutting down');
    clearInterval(pruneTimer);
    // The drain is bounded: past SHUTDOWN_TIMEOUT_SECONDS, whatever is still open is cut off
    // (an orchestrator would not wait for ever either; Kubernetes kills 30 s after SIGTERM).
    setTimeout(() => {
      server.closeAllConnections();
      logger.error(
        { timeoutSeconds },
        'shutdown did not finish within SHUTDOWN_TIMEOUT_SECONDS; closed the connections left',
      );
      process.exit(1);
    }, timeoutSeconds * 1000);
    try {
      // In this order: requests in flight still use both pools and the database.
      await server.close();
      await pruning;
      await metricsServer?.close();
      await revocations.stop();
      await pool.end();
      await database.close();
      logger.info({ signal }, 'shut down');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  // `on`, not `once`: a signal often comes twice (Ctrl-C reaches the whole process group, npm
  // and this process, and npm forwards it again), and a second one with no listener would kill
  // the process in the middle of its drain. The drain is bounded by SHUTDOWN_TIMEOUT_SECONDS.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Tessera failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
