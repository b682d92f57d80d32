import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { ensureLocalTls } from '../../tls.js';

const DAY = 24 * 60 * 60 * 1000;
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderloop-tls-unit-'));
  dirs.push(dir);
  return dir;
};
const leafOf = (chain: string) => new X509Certificate(chain.split(/(?<=-----END CERTIFICATE-----)/)[0]!);

describe('the local certificate authority', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('issues a server certificate for localhost and the loopback addresses, signed by the CA', async () => {
    // Act
    const tls = await ensureLocalTls(freshDir());
    // Assess
    const ca = new X509Certificate(readFileSync(tls.caFile));
    const leaf = leafOf(tls.cert);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('example.com')).toBeUndefined();
  });

  it('name-constrains the CA to localhost and loopback, and keeps its key private to the user', async () => {
    // Act
    const dir = freshDir();
    const tls = await ensureLocalTls(dir);
    // Assess
    const ca = new x509.X509Certificate(readFileSync(tls.caFile, 'utf8'));
    const constraints = ca.getExtension('2.5.29.30');
    expect(constraints?.critical).toBe(true);
    const permitted = AsnConvert.parse(constraints!.value, NameConstraints).permittedSubtrees!.map((t) =>
      t.base.dNSName ? `dns:${t.base.dNSName}` : `ip:${t.base.iPAddress}`,
    );
    expect(permitted).toEqual(['dns:localhost', 'ip:127.0.0.0/8', 'ip:::1/128']);
    expect(statSync(join(dir, 'ca-key.pem')).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'server-key.pem')).mode & 0o077).toBe(0);
  });

  it('creates the CA once and keeps it, so a trusted CA stays trusted across starts', async () => {
    // Prepare
    const dir = freshDir();
    const first = await ensureLocalTls(dir);
    // Act
    const second = await ensureLocalTls(dir);
    // Assess
    expect(first.createdCa).toBe(true);
    expect(second.createdCa).toBe(false);
    expect(second.cert).toBe(first.cert);
  });

  it('re-issues the server certificate from the same CA when it nears expiry', async () => {
    // Prepare
    const dir = freshDir();
    const first = await ensureLocalTls(dir);
    const ca = readFileSync(first.caFile, 'utf8');
    // Act: 350 days on, the 365-day certificate is inside its renewal window
    const later = await ensureLocalTls(dir, new Date(Date.now() + 350 * DAY));
    // Assess
    expect(later.createdCa).toBe(false);
    expect(readFileSync(later.caFile, 'utf8')).toBe(ca);
    expect(leafOf(later.cert).serialNumber).not.toBe(leafOf(first.cert).serialNumber);
    expect(leafOf(later.cert).checkIssued(new X509Certificate(ca))).toBe(true);
  });
});
