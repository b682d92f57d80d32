import { isRecord, mappingError, type DataSourceOutcome } from './types.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Runs an HTTP request object ("JavaScript resolver function reference for HTTP"):
 * `{ method, resourcePath, params: { query, headers, body } }` against the data source's endpoint.
 * ctx.result is `{ statusCode, headers, body }` whatever the status, so the response handler decides
 * what a 4xx means. Requests are not SigV4-signed locally (no authorizationConfig).
 */
export async function executeHttp(
  endpoint: string,
  request: unknown,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<DataSourceOutcome> {
  if (!isRecord(request)) return mappingError('The request object of an HTTP data source must be an object');
  const { method, resourcePath } = request;
  if (typeof method !== 'string' || !METHODS.includes(method)) {
    return mappingError(`method must be one of ${METHODS.join(', ')}, received ${String(method)}`);
  }
  if (typeof resourcePath !== 'string' || !resourcePath.startsWith('/')) {
    return mappingError('resourcePath is required and must start with /');
  }
  const params = isRecord(request.params) ? request.params : {};
  const url = new URL(endpoint.replace(/\/+$/, '') + resourcePath);
  if (isRecord(params.query)) {
    for (const [name, value] of Object.entries(params.query)) {
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
    }
  }
  const headers = isRecord(params.headers)
    ? Object.fromEntries(Object.entries(params.headers).map(([k, v]) => [k, String(v)]))
    : {};
  const body =
    params.body === undefined
      ? undefined
      : typeof params.body === 'string'
        ? params.body
        : JSON.stringify(params.body);
  try {
    const res = await fetchImpl(url, { method, headers, body });
    return {
      result: {
        statusCode: res.status,
        headers: Object.fromEntries(res.headers.entries()),
        body: await res.text(),
      },
    };
  } catch (err) {
    return {
      error: { type: 'HTTP:RequestFailed', message: err instanceof Error ? err.message : String(err) },
    };
  }
}
