import 'uplot/dist/uPlot.min.css';
import './style.css';
import { live } from './live';
import { alertsPage } from './pages/alerts';
import { assetPage } from './pages/asset';
import { fleetPage } from './pages/fleet';
import { modelsPage } from './pages/models';
import { route, startRouter } from './router';

route('/', 'fleet', fleetPage);
route('/fleet', 'fleet', fleetPage);
route('/asset/:id', 'fleet', assetPage);
route('/alerts', 'alerts', alertsPage);
route('/models', 'models', modelsPage);

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
