// An instance's lease on serving access-token checks from its cache (auth/revocation-bus.ts).
// Revokers wait for the instances whose lease is live; an instance without one asks the database.
import { defineEntity, p } from '@mikro-orm/core';

const CacheLeaseSchema = defineEntity({
  name: 'CacheLease',
  tableName: 'cache_leases',
  properties: {
    instanceId: p.uuid().primary(),
    // In the database's time: revokers compare it with now() there, not with their own clocks.
    expiresAt: p.datetime(),
  },
});

export class CacheLease extends CacheLeaseSchema.class {}
CacheLeaseSchema.setClass(CacheLease);
