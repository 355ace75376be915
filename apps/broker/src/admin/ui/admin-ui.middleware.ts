import { Injectable, NestMiddleware } from '@nestjs/common';
import { createReadStream, Stats, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { AdminUiService } from './admin-ui.service';

/** The admin API's own paths: never answered with the UI, whatever the request accepts. */
const API_PATHS = /^\/(graphql|health|ready|metrics|api)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Files the build names by their content (main-V7GLPSZG.js): they never change under that name. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NestMQ admin UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The admin UI is not built</h1>
<p>The broker and its admin API are running: GraphQL at <a href="/graphql">/graphql</a>, <a href="/health">/health</a>, <a href="/metrics">/metrics</a>.</p>
<p>Build the UI with <code>npm run build --prefix apps/admin-ui</code> (or start the broker with <code>npm start</code>, which builds it when it is missing), then reload this page.</p>
</body></html>
`;

function accepts(request: IncomingMessage, type: string): boolean {
  return (request.headers.accept ?? '').includes(type);
}

function fileStats(path: string): Stats | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the built admin UI at HTTP_PORT /: its files (those named by their content cached for a year,
 * the rest revalidated), and index.html for any other GET that asks for a page, so a deep link such as
 * /clients/x opens its screen. /graphql, /health, /ready, /metrics and /api/... pass through untouched.
 */
@Injectable()
export class AdminUiMiddleware implements NestMiddleware {
  constructor(private readonly ui: AdminUiService) {}

  use(request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://ui').pathname);
    } catch {
      return next();
    }
    if (API_PATHS.test(path) || path.includes('\0')) return next();
    if (!this.ui.built()) {
      if (!accepts(request, 'text/html')) return next();
      response.statusCode = 503;
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.setHeader('cache-control', REVALIDATE);
      response.end(request.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
      return;
    }
    const file = join(this.ui.dir, path);
    const inside = relative(this.ui.dir, file);
    if (inside.startsWith('..') || inside.startsWith(sep)) return next();
    const stats = path.endsWith('/') ? undefined : fileStats(file);
    if (stats) return this.send(request, response, file, stats);
    // The UI's own address, whatever is asked for (curl sends */*), and a screen's address in a browser:
    // the UI's router shows it. Anything else that is missing stays a 404.
    if (path === '/' || accepts(request, 'text/html')) {
      const index = join(this.ui.dir, 'index.html');
      const indexStats = fileStats(index);
      if (indexStats) return this.send(request, response, index, indexStats);
    }
    next();
  }

  private send(request: IncomingMessage, response: ServerResponse, file: string, stats: Stats): void {
    const name = file.slice(file.lastIndexOf(sep) + 1);
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    response.setHeader('content-type', TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream');
    response.setHeader('cache-control', HASHED.test(name) ? IMMUTABLE : REVALIDATE);
    response.setHeader('etag', etag);
    response.setHeader('x-content-type-options', 'nosniff');
    if (name === 'index.html') {
      response.setHeader('x-frame-options', 'DENY');
      response.setHeader('referrer-policy', 'no-referrer');
    }
    if (request.headers['if-none-match'] === etag) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.statusCode = 200;
    response.setHeader('content-length', stats.size);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }
}
