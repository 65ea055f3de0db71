// The failed-password counters of auth/throttle.ts. rate-limiter-flexible owns the rows; the
// entity exists so that the table is part of the schema the migrations manage.
import { defineEntity, p } from '@mikro-orm/core';

const PasswordFailureCounterSchema = defineEntity({
  name: 'PasswordFailureCounter',
  tableName: 'password_failure_counters',
  properties: {
    key: p.string().length(255).primary(),
    points: p.integer().default(0),
    // Epoch milliseconds, as the library writes it.
    expire: p.bigint().nullable(),
  },
});

export class PasswordFailureCounter extends PasswordFailureCounterSchema.class {}
PasswordFailureCounterSchema.setClass(PasswordFailureCounter);
