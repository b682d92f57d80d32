import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalCognito } from './service.js';

/**
 * An HTTP handler for each pool's `<issuer>/.well-known/jwks.json` and `openid-configuration`, mounted
 * under the issuer base URL's path. Returns false for any other request, so callers can chain handlers.
 */
export function createJwksHandler(cognito: LocalCognito) {
  const basePath = new URL(cognito.issuerBaseUrl).pathname.replace(/\/+$/, '');
  return async function handleJwks(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    for (const [userPoolId, pool] of cognito.pools) {
      const prefix = `${basePath}/${userPoolId}/.well-known/`;
      if (!path.startsWith(prefix)) continue;
      const document = path.slice(prefix.length);
      const body =
        document === 'jwks.json'
          ? pool.signer.jwks()
          : document === 'openid-configuration'
            ? {
                issuer: pool.issuer,
                jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
                id_token_signing_alg_values_supported: ['RS256'],
                subject_types_supported: ['public'],
                response_types_supported: ['code', 'token'],
              }
            : undefined;
      if (!body) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
      return true;
    }
    return false;
  };
}
