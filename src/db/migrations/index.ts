// Every migration, in order. Add a new one here after `npm run migration:create`.
import { Migration20261122110246Initial } from './20261122110246-initial.ts';
import { Migration20261122112059PasswordFailureCounters } from './20261122112059-password-failure-counters.ts';

export const migrationsList = [
  { name: 'Migration20261122110246Initial', class: Migration20261122110246Initial },
  {
    name: 'Migration20261122112059PasswordFailureCounters',
    class: Migration20261122112059PasswordFailureCounters,
  },
];
