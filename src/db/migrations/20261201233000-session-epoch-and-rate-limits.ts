import { Migration } from '@mikro-orm/migrations';

// The session epoch that orders password checks against changes that end every session; the
// rate-limit entries that replace rate-limiter-flexible's counters (one row per counted
// attempt instead of one number per key, so that a check in flight is not a failure); and the
// leases of instances that serve access-token checks from their caches.
export class Migration20261201233000SessionEpochAndRateLimits extends Migration {
  override name = 'Migration20261201233000SessionEpochAndRateLimits';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add column "session_epoch" int not null default 0;`);
    this.addSql(`drop table if exists "password_failure_counters";`);
    this.addSql(
      `create table "rate_limit_entries" ("key" varchar(64) not null, "attempt_id" uuid not null, "kind" text check ("kind" in ('pending', 'failure', 'signup')) not null, "expires_at" timestamptz not null, primary key ("key", "attempt_id"));`,
    );
    this.addSql(
      `create index "rate_limit_entries_expires_at_index" on "rate_limit_entries" ("expires_at");`,
    );
    this.addSql(
      `create table "cache_leases" ("instance_id" uuid not null, "expires_at" timestamptz not null, primary key ("instance_id"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "cache_leases";`);
    this.addSql(`drop table if exists "rate_limit_entries";`);
    this.addSql(
      `create table "password_failure_counters" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, primary key ("key"));`,
    );
    this.addSql(`alter table "users" drop column "session_epoch";`);
  }
}
