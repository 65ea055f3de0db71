import { Migration } from '@mikro-orm/migrations';

// Disabled accounts, and the two security events of an operator's disabling and enabling, with
// who did it and why (users/lifecycle.ts).
export class Migration20261202030000AccountLifecycle extends Migration {
  override name = 'Migration20261202030000AccountLifecycle';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add column "disabled_at" timestamptz null;`);
    this.addSql(
      `alter table "security_events" add column "actor" varchar(128) null, add column "reason" varchar(512) null;`,
    );
    this.addSql(`alter table "security_events" drop constraint "security_events_type_check";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_type_check" check ("type" in ('SIGNED_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'RATE_LIMITED', 'SESSION_REVOKED', 'ALL_SESSIONS_REVOKED', 'REFRESH_TOKEN_REUSE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED', 'ACCOUNT_DISABLED', 'ACCOUNT_ENABLED'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `delete from "security_events" where "type" in ('ACCOUNT_DISABLED', 'ACCOUNT_ENABLED');`,
    );
    this.addSql(`alter table "security_events" drop constraint "security_events_type_check";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_type_check" check ("type" in ('SIGNED_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'RATE_LIMITED', 'SESSION_REVOKED', 'ALL_SESSIONS_REVOKED', 'REFRESH_TOKEN_REUSE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED'));`,
    );
    this.addSql(`alter table "security_events" drop column "actor", drop column "reason";`);
    this.addSql(`alter table "users" drop column "disabled_at";`);
  }
}
