import 'uplot/dist/uPlot.min.css';
import './style.css';
import { AUTH_REQUIRED_EVENT, apiKey, setApiKey } from './api';
import { live } from './live';
import { alertsPage } from './pages/alerts';
import { fleetPage } from './pages/fleet';
import { lazyPage, render, route, startRouter } from './router';

route('/', 'fleet', fleetPage);
route('/fleet', 'fleet', fleetPage);
// Pages with charts load with their chart code, so the fleet page starts with less to fetch.
route(
  '/asset/:id',
  'fleet',
  lazyPage(async () => (await import('./pages/asset')).assetPage),
);
route('/alerts', 'alerts', alertsPage);
route(
  '/models',
  'models',
  lazyPage(async () => (await import('./pages/models')).modelsPage),
);
route(
  '/ingestion',
  'ingestion',
  lazyPage(async () => (await import('./pages/ingestion')).ingestionPage),
);

const badge = document.getElementById('live') as HTMLElement;
const text = badge.querySelector('.live-text') as HTMLElement;
const LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' } as const;
live.onState((state) => {
  badge.dataset.state = state;
  text.textContent = LABELS[state];
  badge.title =
    state === 'live' ? 'Receiving live updates from the server' : 'Live updates are paused until the server answers';
});
live.start();
startRouter();

// A server that requires API keys: ask for one once, keep it in this browser, and reload the data with it.
const keyDialog = document.getElementById('key-dialog') as HTMLDialogElement;
const keyForm = keyDialog.querySelector('form') as HTMLFormElement;
const keyInput = keyDialog.querySelector('input') as HTMLInputElement;
const keyMessage = keyDialog.querySelector('.key-message') as HTMLElement;
window.addEventListener(AUTH_REQUIRED_EVENT, (event) => {
  if (keyDialog.open) return;
  const refused = (event as CustomEvent<number>).detail === 403 || apiKey() !== null;
  keyMessage.textContent = refused
    ? 'The server refused the API key in use. Enter a key with the read role (operate to promote models).'
    : 'This server requires an API key. Enter a key with the read role (operate to promote models).';
  keyInput.value = '';
  keyDialog.showModal();
});
keyForm.addEventListener('submit', () => {
  setApiKey(keyInput.value.trim() || null);
  live.restart();
  render();
});
