// Every migration, in order. Add a new one here after `npm run migration:create`.
import { Migration20261122110246Initial } from './20261122110246-initial.ts';

export const migrationsList = [
  { name: 'Migration20261122110246Initial', class: Migration20261122110246Initial },
];
