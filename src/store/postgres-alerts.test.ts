import { randomBytes } from 'node:crypto';
import { afterAll, describe } from 'vitest';
import { serviceAvailable } from '../../test/helpers/services.js';
import { runAlertStoresSuite } from './alerts-suite.js';
import { openAlertStores } from './open-alerts.js';
import { PostgresStore, quoteIdentifier } from './postgres.js';

const URL = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const available = await serviceAvailable('PostgreSQL', 5432);
const RUN = randomBytes(4).toString('hex');
const schemas: string[] = [];

afterAll(async () => {
  if (!available || schemas.length === 0) return;
  const admin = await PostgresStore.open(URL, { schema: `upkeep_alerts_${RUN}_drop` });
  try {
    for (const schema of [...schemas, admin.schema]) {
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    }
  } finally {
    await admin.close();
  }
});

describe.runIf(available)('PostgreSQL alert stores', () => {
  runAlertStoresSuite('PostgreSQL', async () => {
    const schema = `upkeep_alerts_${RUN}_${schemas.length}`;
    schemas.push(schema);
    const store = await PostgresStore.open(URL, { schema });
    return { ...(await openAlertStores(store)), close: () => store.close() };
  });
});
