// Every migration, in order. Add a new one here after `npm run migration:create`.
import { Migration20261122110246Initial } from './20261122110246-initial.ts';
import { Migration20261122112059PasswordFailureCounters } from './20261122112059-password-failure-counters.ts';
import { Migration20261201233000SessionEpochAndRateLimits } from './20261201233000-session-epoch-and-rate-limits.ts';
import { Migration20261202030000AccountLifecycle } from './20261202030000-account-lifecycle.ts';
import { Migration20261202040000OperatorCli } from './20261202040000-operator-cli.ts';

export const migrationsList = [
  { name: 'Migration20261122110246Initial', class: Migration20261122110246Initial },
  {
    name: 'Migration20261122112059PasswordFailureCounters',
    class: Migration20261122112059PasswordFailureCounters,
  },
  {
    name: 'Migration20261201233000SessionEpochAndRateLimits',
    class: Migration20261201233000SessionEpochAndRateLimits,
  },
  {
    name: 'Migration20261202030000AccountLifecycle',
    class: Migration20261202030000AccountLifecycle,
  },
  { name: 'Migration20261202040000OperatorCli', class: Migration20261202040000OperatorCli },
];
