import { expect, it } from 'vitest';
import { startTestApp } from './harness.ts';

it('the migrations build exactly the schema the entities describe', async () => {
  const app = await startTestApp();
  try {
    const diff = await app.orm.schema.getUpdateSchemaSQL();
    // What remains after the driver's preamble must be nothing: no table, column or index to add.
    expect(diff.replace(/set names '[^']*';/i, '').trim()).toBe('');
  } finally {
    await app.close();
  }
});
