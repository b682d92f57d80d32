/**
 * The local certificate authority and the HTTPS/WSS server certificate, so clients that insist on TLS
 * (Amplify JS derives `wss://…/graphql/realtime` from the GraphQL URL) reach the local stack unchanged.
 * The CA is made once and kept; the server certificate is re-issued when it is missing or near expiry.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';

/** The PEM files of the local CA and the server certificate. */
export interface LocalTls {
  /** The CA certificate to trust: NODE_EXTRA_CA_CERTS for Node, the browser's authorities list. */
  readonly caFile: string;
  /** The server's certificate (PEM) and key, as node:https takes them. */
  readonly cert: string;
  readonly key: string;
  /** Whether this call created the CA (a new CA must be trusted again). */
  readonly createdCa: boolean;
}

/** The names the server certificate covers. */
export const LOCAL_TLS_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

// @peculiar/x509 types its provider with the DOM's Crypto, which node:crypto's webcrypto implements.
const crypto = webcrypto as unknown as NonNullable<
  Parameters<typeof x509.X509CertificateGenerator.create>[1]
>;
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
// Browsers refuse server certificates valid for more than 398 days; re-issue well before expiry.
const SERVER_VALIDITY_DAYS = 365;
const RENEW_BEFORE_DAYS = 30;
const CA_VALIDITY_DAYS = 10 * 365;

/**
 * Loads or creates `<dir>/ca.pem` (+ `ca-key.pem`) and `<dir>/server.pem` (+ `server-key.pem`). The CA is
 * name-constrained to localhost and the loopback addresses, so trusting it cannot vouch for any other
 * site even if its key (kept with mode 0600) leaks.
 */
export async function ensureLocalTls(dir: string, now: Date = new Date()): Promise<LocalTls> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    server: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
  };
  const createdCa = !existsSync(paths.ca) || !existsSync(paths.caKey);
  if (createdCa) await writeCa(paths.ca, paths.caKey, now);
  const ca = new x509.X509Certificate(readFileSync(paths.ca, 'utf8'));
  if (createdCa || !serverCertificateFits(paths.server, ca, now)) {
    await writeServerCertificate(ca, readFileSync(paths.caKey, 'utf8'), paths.server, paths.serverKey, now);
  }
  return {
    caFile: paths.ca,
    cert: `${readFileSync(paths.server, 'utf8')}${ca.toString('pem')}\n`,
    key: readFileSync(paths.serverKey, 'utf8'),
    createdCa,
  };
}

async function writeCa(certPath: string, keyPath: string, now: Date): Promise<void> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const permitted = new GeneralSubtrees([
    ...LOCAL_TLS_NAMES.dns.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    new GeneralSubtree({ base: new GeneralName({ iPAddress: '127.0.0.0/8' }) }),
    new GeneralSubtree({ base: new GeneralName({ iPAddress: '::1/128' }) }),
  ]);
  const nameConstraints = new x509.Extension(
    '2.5.29.30',
    true,
    AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted })),
  );
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=orderloop local CA ${now.toISOString().slice(0, 10)}, O=orderloop local stack`,
      keys,
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        nameConstraints,
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  writeFileSync(keyPath, await privateKeyPem(keys.privateKey), { mode: 0o600 });
  writeFileSync(certPath, `${cert.toString('pem')}\n`);
}

async function writeServerCertificate(
  ca: x509.X509Certificate,
  caKeyPem: string,
  certPath: string,
  keyPath: string,
  now: Date,
): Promise<void> {
  const caKey = await crypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(caKeyPem),
    ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: 'CN=localhost',
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKey,
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...LOCAL_TLS_NAMES.dns.map((value) => ({ type: 'dns' as const, value })),
          ...LOCAL_TLS_NAMES.ip.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
      ],
    },
    crypto,
  );
  writeFileSync(keyPath, await privateKeyPem(keys.privateKey), { mode: 0o600 });
  writeFileSync(certPath, `${cert.toString('pem')}\n`);
}

/** Whether the kept server certificate was issued by this CA and is valid for a while yet. */
function serverCertificateFits(path: string, ca: x509.X509Certificate, now: Date): boolean {
  if (!existsSync(path)) return false;
  const cert = new x509.X509Certificate(readFileSync(path, 'utf8'));
  return (
    cert.issuer === ca.subject &&
    cert.notBefore <= now &&
    cert.notAfter.getTime() - now.getTime() > RENEW_BEFORE_DAYS * DAY_MS
  );
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}
