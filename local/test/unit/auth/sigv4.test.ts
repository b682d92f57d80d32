import { describe, expect, it } from 'vitest';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS } from '../../../aws-ids.js';
import { verifySigV4, type SignedHttpRequest } from '../../../auth/sigv4.js';

const SIGNED_AT = new Date('2025-03-01T12:00:00Z');
const QUERY = JSON.stringify({ query: 'mutation { markPaid(orderId: "o-1") { id } }', variables: {} });

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Signs a GraphQL POST the way our Lambdas' AppSync client does, and returns it as the server sees it. */
async function signedRequest(
  overrides: { credentials?: Credentials; region?: string; body?: string; path?: string } = {},
): Promise<SignedHttpRequest> {
  const signer = new SignatureV4({
    credentials: overrides.credentials ?? LOCAL_CREDENTIALS,
    region: overrides.region ?? 'us-east-1',
    service: 'appsync',
    sha256: Sha256,
  });
  const body = overrides.body ?? QUERY;
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 20002,
      path: overrides.path ?? '/graphql',
      headers: { host: '127.0.0.1:20002', 'content-type': 'application/json' },
      body,
    }),
    { signingDate: SIGNED_AT },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', url: overrides.path ?? '/graphql', headers, body };
}

describe('SigV4 verification of AppSync requests', () => {
  it('accepts a request signed with the local credentials for appsync in us-east-1', async () => {
    // Prepare
    const request = await signedRequest();
    // Act
    const result = await verifySigV4(request, { now: () => SIGNED_AT });
    // Assess
    expect(result).toMatchObject({ ok: true, username: LOCAL_CREDENTIALS.accessKeyId });
  });

  it('accepts a request signed with extra credentials and a session token', async () => {
    // Prepare
    const extra = {
      accessKeyId: 'ASIALAMBDAROLE000001',
      secretAccessKey: 'lambda-secret',
      sessionToken: 'session-1',
    };
    const request = await signedRequest({ credentials: extra });
    // Act
    const result = await verifySigV4(request, { credentials: [extra], now: () => SIGNED_AT });
    // Assess
    expect(request.headers['x-amz-security-token']).toBe('session-1');
    expect(result.ok).toBe(true);
  });

  it('rejects a request whose body was changed after signing', async () => {
    // Prepare
    const request = await signedRequest();
    const tampered = { ...request, body: QUERY.replace('o-1', 'o-2') };
    // Act
    const result = await verifySigV4(tampered, { now: () => SIGNED_AT });
    // Assess: AWS general reference, "Troubleshoot signing errors" (signature mismatch)
    expect(result).toMatchObject({ ok: false, status: 403, errorType: 'InvalidSignatureException' });
    expect(!result.ok && result.message).toMatch(/^The request signature we calculated does not match/);
  });

  it('rejects a request whose path was changed after signing', async () => {
    // Prepare
    const request = await signedRequest();
    // Act
    const result = await verifySigV4({ ...request, url: '/graphql/other' }, { now: () => SIGNED_AT });
    // Assess
    expect(result).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
  });

  it('rejects a request signed with the wrong secret key', async () => {
    // Prepare
    const request = await signedRequest({
      credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    // Act
    const result = await verifySigV4(request, { now: () => SIGNED_AT });
    // Assess
    expect(result).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
  });

  it('rejects a request signed more than five minutes before the server clock', async () => {
    // Prepare
    const request = await signedRequest();
    const now = new Date(SIGNED_AT.getTime() + 5 * 60 * 1000 + 1000);
    // Act
    const result = await verifySigV4(request, { now: () => now });
    // Assess: AWS SigV4 "Signing AWS API requests" - a signature is valid for five minutes
    expect(result).toMatchObject({ ok: false, status: 403, errorType: 'InvalidSignatureException' });
    expect(!result.ok && result.message).toBe(
      'Signature expired: 20250301T120000Z is now earlier than 20250301T120001Z (20250301T120501Z - 5 min.)',
    );
  });

  it('rejects a request signed more than five minutes after the server clock', async () => {
    // Prepare
    const request = await signedRequest();
    const now = new Date(SIGNED_AT.getTime() - 6 * 60 * 1000);
    // Act
    const result = await verifySigV4(request, { now: () => now });
    // Assess
    expect(!result.ok && result.message).toMatch(
      /^Signature not yet current: 20250301T120000Z is still later than/,
    );
  });

  it('accepts a request signed four minutes before the server clock', async () => {
    // Prepare
    const request = await signedRequest();
    // Act
    const result = await verifySigV4(request, { now: () => new Date(SIGNED_AT.getTime() + 4 * 60 * 1000) });
    // Assess
    expect(result.ok).toBe(true);
  });

  it('rejects an unknown access key as an unrecognized client', async () => {
    // Prepare
    const request = await signedRequest({
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    // Act
    const result = await verifySigV4(request, { now: () => SIGNED_AT });
    // Assess
    expect(result).toEqual({
      ok: false,
      status: 403,
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('rejects a signature scoped to another region', async () => {
    // Prepare
    const request = await signedRequest({ region: 'eu-west-1' });
    // Act
    const result = await verifySigV4(request, { now: () => SIGNED_AT });
    // Assess
    expect(result).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' });
    expect(!result.ok && result.message).toContain("not 'eu-west-1'");
  });

  it('rejects a request missing a header it names as signed', async () => {
    // Prepare
    const request = await signedRequest();
    const { 'content-type': _dropped, ...headers } = request.headers;
    // Act
    const result = await verifySigV4({ ...request, headers }, { now: () => SIGNED_AT });
    // Assess
    expect(result).toMatchObject({
      ok: false,
      errorType: 'IncompleteSignatureException',
      message: "'content-type' is named as a SignedHeader, but it does not exist in the HTTP request.",
    });
  });

  it('rejects an Authorization header without a Signature', async () => {
    // Prepare
    const request = await signedRequest();
    const authorization = String(request.headers['authorization']).replace(/, Signature=.*/, '');
    // Act
    const result = await verifySigV4(
      { ...request, headers: { ...request.headers, authorization } },
      { now: () => SIGNED_AT },
    );
    // Assess
    expect(result).toMatchObject({ ok: false, status: 400, errorType: 'IncompleteSignatureException' });
    expect(!result.ok && result.message).toContain("Authorization header requires 'Signature' parameter.");
  });
});

describe('SigV4 verification of a request the AWS CLI signed', () => {
  it('accepts botocore, which signs no x-amz-content-sha256 header', async () => {
    // Prepare: exactly what Debian's awscli 2.9.19 sent for `aws dynamodb list-tables` with the local keys
    const request: SignedHttpRequest = {
      method: 'POST',
      url: '/',
      headers: {
        host: '127.0.0.1:41745',
        'accept-encoding': 'identity',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
        'user-agent':
          'aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v1045 source/x86_64.debian.12 prompt/off',
        'x-amz-date': '20261201T201737Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAORDERLOOPLOCAL00/20261201/us-east-1/dynamodb/aws4_request, ' +
          'SignedHeaders=content-type;host;x-amz-date;x-amz-target, ' +
          'Signature=cbc869c1a0bc209e9b80e1297fff0b2b06b240fbd8b18c603ccefebdb7898d83',
        'content-length': '2',
      },
      body: '{}',
    };
    // Act
    const result = await verifySigV4(request, {
      service: 'dynamodb',
      now: () => new Date('2026-12-01T20:17:40Z'),
    });
    // Assess
    expect(result.ok).toBe(true);
  });
});
