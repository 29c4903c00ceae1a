/** A page draws itself into the main element and returns what to undo when the user leaves it. */
export type Page = (main: HTMLElement, params: Record<string, string>) => () => void;

/** A page whose code is fetched the first time it is shown (with a loading state meanwhile). */
export function lazyPage(load: () => Promise<Page>): Page {
  let loaded: Page | undefined;
  return (main, params) => {
    if (loaded) return loaded(main, params);
    let cleanup: (() => void) | undefined;
    let left = false;
    main.innerHTML = '<section class="state card" role="status"><p>Loading…</p></section>';
    load()
      .then((page) => {
        loaded = page;
        if (!left) cleanup = page(main, params);
      })
      .catch(() => {
        if (!left) {
          main.innerHTML =
            '<section class="state card error" role="alert"><h1>Could not load this page</h1><p>The server did not send the page’s code. Reload to try again.</p></section>';
        }
      });
    return () => {
      left = true;
      cleanup?.();
    };
  };
}

interface Route {
  pattern: RegExp;
  keys: string[];
  page: Page;
  nav: string;
}

const routes: Route[] = [];
let cleanup: (() => void) | undefined;

/** Registers a page under a path such as `/asset/:id`. */
export function route(path: string, nav: string, page: Page): void {
  const keys: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:([a-z]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    })}/?$`,
  );
  routes.push({ pattern, keys, page, nav });
}

export function navigate(path: string): void {
  history.pushState(null, '', path);
  render();
}

/** Draws the page for the current location. */
export function render(): void {
  const main = document.getElementById('main') as HTMLElement;
  cleanup?.();
  cleanup = undefined;
  main.replaceChildren();
  const path = location.pathname;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(match[i + 1]);
    });
    for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
      if (link.dataset.nav === candidate.nav) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    cleanup = candidate.page(main, params);
    return;
  }
  main.innerHTML =
    '<section class="state"><h1>Page not found</h1><p>There is no dashboard page at this address.</p><p><a href="/" data-link>Go to the fleet</a></p></section>';
}

/** Follows same-origin links inside the app without reloading the page. */
export function startRouter(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const link = (event.target as Element).closest('a');
    if (!link || link.target || link.origin !== location.origin || link.hasAttribute('download')) return;
    if (link.pathname.startsWith('/v1/') || link.pathname === '/openapi.json') return;
    event.preventDefault();
    if (link.pathname + link.search !== location.pathname + location.search) navigate(link.pathname + link.search);
  });
  window.addEventListener('popstate', render);
  render();
}
