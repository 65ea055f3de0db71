import { Migration } from '@mikro-orm/migrations';

export class Migration20261122110246Initial extends Migration {
  override name = 'Migration20261122110246Initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "users" ("id" uuid not null, "email" varchar(320) not null, "password_hash" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" varchar(64) null, "user_agent" varchar(512) null, "ip_address" varchar(64) null, primary key ("id"));`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(
      `create table "refresh_tokens" ("id" uuid not null, "token_hash" varchar(64) not null, "session_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "successor_id" uuid null, "successor_seal" bytea null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`,
    );

    this.addSql(
      `create table "access_tokens" ("id" uuid not null, "token_hash" varchar(64) not null, "session_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "access_tokens" add constraint "access_tokens_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(`create index "access_tokens_session_id_index" on "access_tokens" ("session_id");`);

    this.addSql(
      `create table "security_events" ("id" uuid not null, "seq" bigserial, "user_id" uuid null, "type" text not null, "occurred_at" timestamptz not null, "ip_address" varchar(64) null, "user_agent" varchar(512) null, "session_id" uuid null, primary key ("id"));`,
    );
    this.addSql(
      `create index "security_events_user_id_seq_index" on "security_events" ("user_id", "seq");`,
    );
    this.addSql(
      `alter table "security_events" add constraint "security_events_type_check" check ("type" in ('SIGNED_UP', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'RATE_LIMITED', 'SESSION_REVOKED', 'ALL_SESSIONS_REVOKED', 'REFRESH_TOKEN_REUSE', 'EMAIL_CHANGED', 'PASSWORD_CHANGED'));`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "access_tokens" add constraint "access_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "security_events" add constraint "security_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
  }
}
