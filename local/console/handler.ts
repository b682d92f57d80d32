/**
 * The browser console at `/` of the local stack: the page, its bundles under `/console/`, and the
 * connection details it needs (region, user pool client, API key, local IAM keys, demo users) inlined
 * into the page. The page talks to the API, Cognito and the real-time endpoint on its own origin, so it
 * needs no CORS and works on any port or scheme the stack serves this handler on.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type { LocalStackEndpoints } from '../endpoints.js';
import { buildConsole, type BuiltConsole } from './build.js';
import type { ConsoleConfig } from './config.js';

/** Options of {@link createConsoleHandler}. */
export interface ConsoleHandlerOptions {
  /** The repository root, for the bundle cache. @default process.cwd() */
  readonly root?: string;
  /** The running stack's endpoints; read on each page load. */
  readonly endpoints: () => LocalStackEndpoints;
}

/** The page's configuration from the stack's endpoints. */
export function consoleConfigOf(endpoints: LocalStackEndpoints): ConsoleConfig {
  return {
    region: endpoints.region,
    userPoolId: endpoints.cognito.userPoolId,
    clientId: endpoints.cognito.clientId,
    ...(endpoints.apiKey ? { apiKey: endpoints.apiKey } : {}),
    iam: endpoints.iam,
    users: endpoints.users,
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/**
 * Browsers may load the page only from a loopback name: the page holds the local keys and the demo
 * passwords, and a page on another site that rebinds its DNS name to 127.0.0.1 would send its own
 * Host header, which this refuses.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]' || name.endsWith('.localhost');
}

/** Headers of every console response: same-origin everything, no framing, no sniffing. */
const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    // Monaco and GraphiQL set styles inline, and Monaco's workers load from this origin.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

function page(config: ConsoleConfig): string {
  // `<` is escaped so no value can close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orderloop · local AppSync console</title>
<link rel="stylesheet" href="/console/main.css">
<script id="console-config" type="application/json">${json}</script>
<script type="module" src="/console/main.js"></script>
</head>
<body><div id="root"></div></body>
</html>
`;
}

/** The HTTP handler: answers GET/HEAD of `/`, `/index.html` and `/console/*`, and nothing else. */
export function createConsoleHandler(options: ConsoleHandlerOptions) {
  const root = options.root ?? process.cwd();
  // Built on the first page load and kept; built again if another process pruned the folder.
  let built: BuiltConsole | undefined;
  let building: Promise<BuiltConsole> | undefined;
  const bundle = async () => {
    if (built && existsSync(built.dir)) return built;
    building ??= buildConsole({ root }).finally(() => (building = undefined));
    built = await building;
    return built;
  };

  return async function handleConsole(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://local');
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    const asset = url.pathname.startsWith('/console/') ? url.pathname.slice('/console/'.length) : undefined;
    // AWS query-protocol calls may be GETs of `/?Action=…`; those belong to the services.
    if ((!isPage && asset === undefined) || url.searchParams.has('Action')) return false;

    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!isLoopbackHost(req.headers.host)) {
      send(403, 'text/plain; charset=utf-8', 'The console answers only on localhost or 127.0.0.1.\n');
      return true;
    }
    let files: BuiltConsole;
    try {
      files = await bundle();
    } catch (error) {
      send(500, 'text/plain; charset=utf-8', `The console failed to build: ${(error as Error).message}\n`);
      return true;
    }
    if (isPage) {
      send(200, 'text/html; charset=utf-8', page(consoleConfigOf(options.endpoints())));
      return true;
    }
    // Only plain file names of the bundle folder: no path separators, no dot-files.
    const type = CONTENT_TYPES[extname(asset ?? '')];
    const path = join(files.dir, asset ?? '');
    if (!type || !/^[\w-]+(\.[\w-]+)*$/.test(asset ?? '') || !existsSync(path)) {
      send(404, 'text/plain; charset=utf-8', `No console file ${asset ?? ''}\n`);
      return true;
    }
    send(200, type, readFileSync(path));
    return true;
  };
}
