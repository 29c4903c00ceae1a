import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { newRouter } from '../app.js';

/** Where `vite build web` writes the dashboard: web/dist at the repository root (from src/ and from dist/ alike). */
export const DEFAULT_DASHBOARD_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths that belong to the API: never answered with the dashboard, even when no route matches them. */
const API_PREFIXES = ['/v1/', '/v1', '/health', '/ready', '/metrics', '/analyse', '/openapi.json'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Upkeep: dashboard not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
code{background:#eef1f4;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>Dashboard not built</h1>
<p>The API is running, but the dashboard's files are missing. Run <code>npm run build</code> and reload this page.</p>
<p>The API itself answers under <code>/v1/</code>; its description is at <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>`;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
}

/** Text files worth compressing. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map', '.txt']);

/** Gzipped bodies by path and modification time: built files change only on a rebuild. */
const gzipCache = new Map<string, { mtimeMs: number; body: Uint8Array<ArrayBuffer> }>();

async function gzipped(path: string, body: Buffer): Promise<Uint8Array<ArrayBuffer>> {
  const { mtimeMs } = await stat(path);
  const cached = gzipCache.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached.body;
  const compressed = new Uint8Array(gzipSync(body, { level: 9 }));
  gzipCache.set(path, { mtimeMs, body: compressed });
  return compressed;
}

async function fileIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * The dashboard's static files from `root` (web/dist), and its index.html for any other page path a browser asks
 * for (the dashboard routes in the page). API paths and non-HTML requests fall through to the API's 404. When the
 * dashboard has not been built, page requests get a short page saying how to build it. Text files go out gzipped
 * to clients that accept it (compressed once per build and kept in memory).
 */
export function dashboardRoutes(options: { root?: string } = {}): OpenAPIHono {
  const root = normalize(options.root ?? DEFAULT_DASHBOARD_ROOT);
  const router = newRouter();

  router.get('*', async (c, next) => {
    const path = decodeURIComponent(c.req.path);
    if (isApiPath(path)) return next();
    const target = normalize(join(root, path));
    if (target !== root && !target.startsWith(root.endsWith(sep) ? root : root + sep)) return next();
    const extension = extname(path);
    if (extension && path !== '/') {
      const body = await fileIfPresent(target);
      if (!body) return next();
      const immutable = path.startsWith('/static/');
      const headers: Record<string, string> = {
        'Content-Type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        Vary: 'Accept-Encoding',
      };
      if (COMPRESSIBLE.has(extension) && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
        return c.body(await gzipped(target, body), 200, { ...headers, 'Content-Encoding': 'gzip' });
      }
      return c.body(new Uint8Array(body), 200, headers);
    }
    if (!(c.req.header('accept') ?? '').includes('text/html') && path !== '/') return next();
    const index = await fileIfPresent(join(root, 'index.html'));
    if (!index) return c.html(NOT_BUILT_PAGE, 503);
    const headers = { 'Content-Type': CONTENT_TYPES['.html'], 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      return c.body(await gzipped(join(root, 'index.html'), index), 200, { ...headers, 'Content-Encoding': 'gzip' });
    }
    return c.body(new Uint8Array(index), 200, headers);
  });

  return router;
}
