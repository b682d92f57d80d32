import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION } from '../aws-ids.js';

/** An IAM credential pair the local AppSync accepts, with what ctx.identity reports for it. */
export interface IamCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests must carry this x-amz-security-token. @default any token, or none, is accepted */
  readonly sessionToken?: string;
  /** @default arn:aws:iam::<LOCAL_ACCOUNT>:user/orderloop-local */
  readonly userArn?: string;
  /** What ctx.identity.username reports. @default the access key id */
  readonly username?: string;
}

/** The parts of an HTTP request that SigV4 covers. */
export interface SignedHttpRequest {
  readonly method: string;
  /** Path and query string exactly as received (req.url). */
  readonly url: string;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: string | Uint8Array;
}

/** How the local AppSync checks signatures. */
export interface SigV4Options {
  /** Accepted credentials besides LOCAL_CREDENTIALS. @default none */
  readonly credentials?: readonly IamCredential[];
  /** @default LOCAL_REGION */
  readonly region?: string;
  /** @default 'appsync' */
  readonly service?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A verified request's signer, or the error AWS answers an unverifiable one with. */
export type SigV4Result =
  | {
      readonly ok: true;
      readonly credential: IamCredential;
      readonly userArn: string;
      readonly username: string;
    }
  | {
      readonly ok: false;
      readonly status: 400 | 403;
      readonly errorType:
        'IncompleteSignatureException' | 'InvalidSignatureException' | 'UnrecognizedClientException';
      readonly message: string;
    };

// SigV4 tolerates five minutes between the signer's and the service's clocks.
const MAX_SKEW_MS = 5 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Whether an Authorization header is a SigV4 one, which is how AppSync picks IAM for a request. */
export const isSigV4Authorization = (authorization: string | undefined): boolean =>
  authorization?.startsWith(ALGORITHM) ?? false;

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

function header(headers: SignedHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value as string | undefined);
}

const incomplete = (message: string): SigV4Result => ({
  ok: false,
  status: 400,
  errorType: 'IncompleteSignatureException',
  message,
});
const invalid = (message: string): SigV4Result => ({
  ok: false,
  status: 403,
  errorType: 'InvalidSignatureException',
  message,
});

function parseAuthorization(authorization: string): ParsedAuthorization | SigV4Result {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    return incomplete(
      `${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ')} Authorization=${authorization}`,
    );
  }
  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return incomplete(`Credential should be scoped to a valid region. Authorization=${authorization}`);
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature: fields.get('Signature')!,
  };
}

/** 20240102T030405Z, the form x-amz-date and AWS's skew messages use. */
const basicIso = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

function checkClock(amzDate: string, signedAt: Date, now: Date): SigV4Result | undefined {
  const earliest = new Date(now.getTime() - MAX_SKEW_MS);
  const latest = new Date(now.getTime() + MAX_SKEW_MS);
  if (signedAt < earliest) {
    return invalid(
      `Signature expired: ${amzDate} is now earlier than ${basicIso(earliest)} (${basicIso(now)} - 5 min.)`,
    );
  }
  if (signedAt > latest) {
    return invalid(
      `Signature not yet current: ${amzDate} is still later than ${basicIso(latest)} (${basicIso(now)} + 5 min.)`,
    );
  }
  return undefined;
}

/**
 * Verifies an AppSync request signed with SigV4 by recomputing the signature with @smithy/signature-v4
 * over the same method, path, query, signed headers and body, and comparing in constant time.
 */
export async function verifySigV4(
  request: SignedHttpRequest,
  options: SigV4Options = {},
): Promise<SigV4Result> {
  const region = options.region ?? LOCAL_REGION;
  const service = options.service ?? 'appsync';
  const authorization = header(request.headers, 'authorization') ?? '';
  if (!isSigV4Authorization(authorization))
    return incomplete(`Authorization header is not a ${ALGORITHM} signature.`);
  const parsed = parseAuthorization(authorization);
  if ('ok' in parsed) return parsed;

  const known: IamCredential[] = [LOCAL_CREDENTIALS, ...(options.credentials ?? [])];
  const credential = known.find((c) => c.accessKeyId === parsed.accessKeyId);
  if (!credential) {
    return {
      ok: false,
      status: 403,
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  const token = header(request.headers, 'x-amz-security-token');
  if (credential.sessionToken && token !== credential.sessionToken) {
    return {
      ok: false,
      status: 403,
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  if (parsed.region !== region)
    return invalid(`Credential should be scoped to a valid region, not '${parsed.region}'.`);
  if (parsed.service !== service)
    return invalid(`Credential should be scoped to correct service: '${service}'.`);

  const amzDate = header(request.headers, 'x-amz-date');
  const signedAt = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || !signedAt) {
    return incomplete(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`,
    );
  }
  if (amzDate.slice(0, 8) !== parsed.date) {
    return invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const skew = checkClock(amzDate, signedAt, (options.now ?? (() => new Date()))());
  if (skew) return skew;

  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined)
      return incomplete(`'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
    headers[name] = value;
  }
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== bodyHash) return invalid(SIGNATURE_MISMATCH);

  const url = new URL(request.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      // The signer adds the token header itself, so pass it only when the client signed it.
      sessionToken: parsed.signedHeaders.includes('x-amz-security-token') ? token : undefined,
    },
    region,
    service,
    sha256: Sha256,
    // Sign exactly the headers the client signed: botocore (the AWS CLI) sends no x-amz-content-sha256,
    // and the signer would otherwise add it and sign it, so no CLI request could ever verify.
    applyChecksum: false,
  });
  const recomputed = await signer.sign(
    new HttpRequest({
      method: request.method.toUpperCase(),
      protocol: 'http:',
      hostname: headers['host'] ?? 'localhost',
      path: request.url.split('?')[0],
      query,
      headers,
      body: request.body,
    }),
    { signingDate: signedAt, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(recomputed.headers['authorization']))?.[1] ?? '';
  const expectedSigned = /SignedHeaders=([^,]+)/.exec(String(recomputed.headers['authorization']))?.[1] ?? '';
  const given = Buffer.from(parsed.signature);
  const same =
    expectedSigned === [...parsed.signedHeaders].sort().join(';') &&
    given.length === expected.length &&
    timingSafeEqual(given, Buffer.from(expected));
  if (!same) return invalid(SIGNATURE_MISMATCH);
  return {
    ok: true,
    credential,
    userArn: credential.userArn ?? `arn:aws:iam::${LOCAL_ACCOUNT}:user/orderloop-local`,
    username: credential.username ?? credential.accessKeyId,
  };
}

/** Why a local AWS service refuses a request: no SigV4 signature at all, or the verifier's answer. */
export type SigV4Refusal =
  | Extract<SigV4Result, { ok: false }>
  | {
      readonly ok: false;
      readonly status: 403;
      readonly errorType: 'MissingAuthenticationTokenException';
      readonly message: string;
    };

/**
 * The check every local AWS service (SQS, EventBridge, SNS, Lambda, Cognito's admin operations,
 * DynamoDB) runs before it acts: the request must be SigV4-signed for `service` by the local IAM keys.
 * Returns undefined for a verified request, else what to refuse it with; each protocol writes that in
 * its own error shape ({@link queryProtocolCode} for the query protocol).
 */
export async function refuseUnsigned(
  request: SignedHttpRequest,
  service: string,
  options: Omit<SigV4Options, 'service'> = {},
): Promise<SigV4Refusal | undefined> {
  if (!header(request.headers, 'authorization')) {
    return {
      ok: false,
      status: 403,
      errorType: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    };
  }
  const result = await verifySigV4(request, { ...options, service });
  return result.ok ? undefined : result;
}

// The query protocol's common error codes (SQS and SNS API references, "Common Errors"), which the
// SQS JSON protocol also answers since it is query-compatible (x-amzn-query-error).
const QUERY_CODES: Readonly<Record<SigV4Refusal['errorType'], string>> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  IncompleteSignatureException: 'IncompleteSignature',
};

/** The code a query-protocol service (SQS, SNS) answers a refusal with. */
export const queryProtocolCode = (refusal: SigV4Refusal): string => QUERY_CODES[refusal.errorType];
