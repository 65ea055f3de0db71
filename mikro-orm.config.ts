// For the MikroORM CLI only (`npm run migration:create`); the app builds its options with
// src/db/orm-options.ts. A function, so that the configuration is read when the CLI asks for it
// and importing this file has no effect.
import { loadConfig } from './src/config.ts';
import { createOrmOptions } from './src/db/orm-options.ts';

// The CLI works against DATABASE_URL, or a local server.
export default () =>
  createOrmOptions({
    clientUrl: loadConfig(process.env).databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/tessera',
  });
