import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedId, sha256, urlEncodedBytes } from '../../../domain/digest.js';
import { LIST_SHARDS, ORDER_ID_ALPHABET, shardOf } from '../../../domain/keys.js';

const hex = (bytes: readonly number[]) => Buffer.from(bytes).toString('hex');
const bytesOf = (text: string) => [...Buffer.from(text, 'utf8')];
const nodeSha256 = (bytes: readonly number[]) =>
  createHash('sha256').update(Buffer.from(bytes)).digest('hex');

/** util.urlEncode as AppSync documents it: Java's URLEncoder over UTF-8 (space '+', A-Z a-z 0-9 . - * _ kept). */
const javaUrlEncode = (text: string) =>
  encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** A string of random code points, from ASCII to astral (emoji), never a lone surrogate. */
const randomText = (length: number) => {
  const ranges = [
    [0x20, 0x7e],
    [0xa0, 0x7ff],
    [0x800, 0xd7ff],
    [0xe000, 0xfffd],
    [0x10000, 0x10ffff],
  ] as const;
  let text = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = ranges[Math.floor(Math.random() * ranges.length)]!;
    text += String.fromCodePoint(lo + Math.floor(Math.random() * (hi - lo + 1)));
  }
  return text;
};

/** The reference derivation with node:crypto and BigInt: SHA-256 of the length-prefixed UTF-8 parts. */
const referenceId = (parts: string[]) => {
  const message = Buffer.concat(
    parts.flatMap((p) => {
      const bytes = Buffer.from(p, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
  const digest = createHash('sha256').update(message).digest();
  const top130 = BigInt(`0x${digest.subarray(0, 17).toString('hex')}`) >> 6n; // 136 bits, 130 kept
  let id = '';
  for (let i = 25; i >= 0; i--) id += ORDER_ID_ALPHABET[Number((top130 >> BigInt(5 * i)) & 31n)];
  return id;
};

describe('sha256', () => {
  it('answers the published test vectors (FIPS 180-4 examples, RFC 6234 section 8.5)', () => {
    // Prepare: NIST's examples ("abc", the two-block 448-bit message, one million 'a'), its one- and
    // four-byte short messages, the empty message, and RFC 6234's TEST4 ("01234567" 80 times)
    const vectors: [number[], string][] = [
      [bytesOf('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [bytesOf(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      [
        bytesOf('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
      [
        bytesOf(
          'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
        ),
        'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
      ],
      [[0xbd], '68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b'],
      [[0xc9, 0x8c, 0x8e, 0x55], '7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504'],
      [bytesOf('01234567'.repeat(80)), '594847328451bdfa85056225462cc1d867d877fb388df0ce35f25ab5562bfbb5'],
      [bytesOf('a'.repeat(1_000_000)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ];
    // Act
    const digests = vectors.map(([message]) => hex(sha256(message)));
    // Assess
    expect(digests).toEqual(vectors.map(([, digest]) => digest));
  });

  it('agrees with node:crypto for random messages of every length across the padding boundaries', () => {
    // Prepare: 0 … 200 bytes covers one, two and four blocks and the 55/56/64-byte padding edges
    const messages = Array.from({ length: 201 }, (_, n) => [...randomBytes(n)]);
    messages.push([...randomBytes(1000)], [...randomBytes(4096)]);
    // Act
    const ours = messages.map((m) => hex(sha256(m)));
    // Assess
    expect(ours).toEqual(messages.map((m) => nodeSha256(m)));
  });
});

describe('urlEncodedBytes', () => {
  it('gives the UTF-8 bytes of any string util.urlEncode encoded, from ASCII to emoji', () => {
    // Prepare
    const texts = [
      '',
      'plain',
      'a b+c%d',
      "!'()~*-._",
      'Zoë Ω 漢字 😀',
      ...Array.from({ length: 50 }, () => randomText(40)),
    ];
    // Act
    const decoded = texts.map((t) => urlEncodedBytes(javaUrlEncode(t)));
    // Assess
    expect(decoded).toEqual(texts.map((t) => bytesOf(t)));
  });

  it('reads the same bytes whichever characters the encoder escapes, in either hex case', () => {
    // Prepare: every byte escaped, upper and lower case, against the minimal escaping
    const text = 'Key-1 ünïcode';
    const everyByte = bytesOf(text).map((b) => `%${b.toString(16).padStart(2, '0')}`);
    // Act
    const escaped = [everyByte.join('').toUpperCase(), everyByte.join(''), javaUrlEncode(text)].map((e) =>
      urlEncodedBytes(e),
    );
    // Assess
    expect(escaped).toEqual([bytesOf(text), bytesOf(text), bytesOf(text)]);
  });
});

describe('derivedId', () => {
  it('is the first 130 bits of the SHA-256 of the length-prefixed parts, as 26 Crockford base-32 characters', () => {
    // Prepare
    const cases = [
      ['placeOrder', '0f8fad5b-d9cb-469f-a165-70867728950e', '7d444840-9dc0-11d1-b245-5ffdce74fad2'],
      ['placeOrder', 'c', ''],
      ...Array.from({ length: 100 }, () => [
        'placeOrder',
        randomText(36),
        randomText(1 + Math.floor(Math.random() * 128)),
      ]),
    ];
    // Act
    const ids = cases.map((parts) => derivedId(parts.map(javaUrlEncode)));
    // Assess
    expect(ids).toEqual(cases.map(referenceId));
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('separates the parts: moving characters from one part to the next gives another id', () => {
    // Prepare: the same characters in a row, split differently (without lengths they would hash alike)
    const splits = [
      ['placeOrder', 'ab', 'c'],
      ['placeOrder', 'a', 'bc'],
      ['placeOrder', 'abc', ''],
      ['placeOrderab', 'c', ''],
    ];
    // Act
    const ids = splits.map((parts) => derivedId(parts.map(javaUrlEncode)));
    // Assess
    expect(new Set(ids).size).toBe(splits.length);
  });

  it('spreads derived order ids over every list shard', () => {
    // Prepare
    const ids = Array.from({ length: 400 }, (_, i) => derivedId(['placeOrder', 'c1', `k${i}`]));
    // Act
    const counts = [0, 1, 2, 3].map((s) => ids.filter((id) => shardOf(id, LIST_SHARDS) === s).length);
    // Assess: each shard about a quarter (the ids are fixed, so this is not a matter of chance per run)
    for (const count of counts) expect(count).toBeGreaterThan(60);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
  });
});
