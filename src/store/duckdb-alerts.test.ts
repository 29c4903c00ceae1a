import { runAlertStoresSuite } from './alerts-suite.js';
import { DuckDBStore } from './duckdb.js';
import { openAlertStores } from './open-alerts.js';

runAlertStoresSuite('DuckDB', async () => {
  const store = await DuckDBStore.open(':memory:');
  return { ...(await openAlertStores(store)), close: () => store.close() };
});
