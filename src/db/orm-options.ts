// The MikroORM options for Tessera's database, as a pure function of explicit inputs. The app
// (src/db/open-database.ts), the tests and the CLI shim (mikro-orm.config.ts) all build theirs here.
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { entities } from './entities/index.ts';
import { migrationsList } from './migrations/index.ts';
import {
  connectionOptions,
  DATABASE_TIMEOUTS,
  type DatabaseTimeouts,
  discardClientsLostWhileCheckedOut,
} from './pool.ts';

export interface OrmOptions {
  clientUrl: string;
  /** Called with every SQL statement the ORM sends (tests count queries with it). */
  onQuery?: (sql: string) => void;
  poolMax?: number;
  /** Connect and statement bounds; production's by default. */
  timeouts?: DatabaseTimeouts;
}

export function createOrmOptions({
  clientUrl,
  onQuery,
  poolMax = 10,
  timeouts = DATABASE_TIMEOUTS,
}: OrmOptions): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    migrations: {
      path: './src/db/migrations',
      // Migrations are listed in code, so the running app never globs the file system for them.
      migrationsList,
      snapshot: false,
      silent: true, // src/main.ts logs what was applied, as JSON like every other line
      emit: 'ts',
      fileName: (timestamp, name) => `${timestamp}-${name ?? 'migration'}`,
    },
    pool: { min: 0, max: poolMax },
    driverOptions: {
      // An unreachable database or a silent network fails a request within these bounds
      // instead of holding it (and its pool slot) forever; see src/db/pool.ts.
      ...connectionOptions(timeouts),
      onPoolCreated: discardClientsLostWhileCheckedOut,
    },
    // Only ever used through em.fork(): a shared identity map across requests would leak data.
    allowGlobalContext: false,
    ...(onQuery && {
      onQuery: (sql: string) => {
        onQuery(sql);
        return sql;
      },
    }),
  });
}
