import { Migration } from '@mikro-orm/migrations';

export class Migration20261122112059PasswordFailureCounters extends Migration {
  override name = 'Migration20261122112059PasswordFailureCounters';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "password_failure_counters" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, primary key ("key"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "password_failure_counters" cascade;`);
  }
}
