import { Migration } from '@mikro-orm/migrations';

// For the operator CLI: the digest of the email alone on (email, network) rate-limit entries, so
// that `tessera throttle clear --email` finds an address's failures from every network; and the
// RATE_LIMIT_CLEARED security event that records it (after account-lifecycle's, whose event
// types the check keeps).
export class Migration20261202040000OperatorCli extends Migration {
  override name = 'Migration20261202040000OperatorCli';

  override up(): void | Promise<void> {
    this.addSql(`alter table "rate_limit_entries" add column "email_key" varchar(64) null;`);
    this.addSql(
      `create index "rate_limit_entries_email_key_index" on "rate_limit_entries" ("email_key");`,
    );
    this.addSql(`alter table "security_events" drop constraint "security_events_type_check";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_type_check" check ("type" in ('SIGNED_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'RATE_LIMITED', 'SESSION_REVOKED', 'ALL_SESSIONS_REVOKED', 'REFRESH_TOKEN_REUSE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED', 'ACCOUNT_DISABLED', 'ACCOUNT_ENABLED', 'RATE_LIMIT_CLEARED'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "security_events" where "type" = 'RATE_LIMIT_CLEARED';`);
    this.addSql(`alter table "security_events" drop constraint "security_events_type_check";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_type_check" check ("type" in ('SIGNED_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'RATE_LIMITED', 'SESSION_REVOKED', 'ALL_SESSIONS_REVOKED', 'REFRESH_TOKEN_REUSE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED', 'ACCOUNT_DISABLED', 'ACCOUNT_ENABLED'));`,
    );
    this.addSql(`drop index "rate_limit_entries_email_key_index";`);
    this.addSql(`alter table "rate_limit_entries" drop column "email_key";`);
  }
}
