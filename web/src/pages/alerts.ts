import type { Page } from '../router';

/** Alerts arrive with the scoring stage; until then the page says what will appear here. */
export const alertsPage: Page = (main) => {
  document.title = 'Alerts · Upkeep';
  main.innerHTML = `
    <div class="page-head"><h1>Alerts</h1></div>
    <section class="state card" aria-labelledby="alerts-empty">
      <h2 id="alerts-empty">No alerts yet</h2>
      <p>Alerts appear here when the models flag an asset: open, acknowledged and resolved, with the asset, the time
      and the reason. You will be able to acknowledge them with a comment and resolve them from this page.</p>
      <p class="muted">This server does not raise alerts yet.</p>
    </section>`;
  return () => {};
};
