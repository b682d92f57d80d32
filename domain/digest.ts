import { ORDER_ID_ALPHABET } from './keys.js';

/**
 * SHA-256 and the ids derived with it, inside the APPSYNC_JS subset: APPSYNC_JS's `util` has no hash
 * (AppSync "Built-in utilities": encoding, ids, errors, types, time, DynamoDB, string and XML helpers, no
 * digest), so resolvers that need a deterministic id hash here. The subset has bitwise operators but no
 * `~`, `++`, `while` or `for(;;)`, so the loops are for-of and `~x` is `x ^ -1`; arrays are read by
 * destructuring and slices, never by a computed index, and grown by concat, so the local runtime can
 * prove the code halts (local/appsync/runtime/bounded.ts) and runs it without its watchdog. The subset
 * also has no `charCodeAt` (@aws-appsync/eslint-plugin no-disallowed-methods), so a string reaches the
 * hash as util.urlEncode's output, whose escapes are its UTF-8 bytes (urlEncodedBytes).
 * Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4, 4.2.2). */
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];

/** 64 zero bytes: padding takes up to 63 of them. */
const ZEROS = K.map(() => 0);

/** Printable ASCII, 0x20 … 0x7e, in order: a character's index plus 0x20 is its byte. */
const ASCII =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

const HEX = '0123456789ABCDEF';

/** The eight 32-bit words of a hash value. */
type HashValue = [number, number, number, number, number, number, number, number];

/** Rotates a 32-bit word right by n bits. */
function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** Big-endian bytes of a 32-bit word. */
function wordBytes(x: number): number[] {
  return [(x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255];
}

/**
 * One SHA-256 compression (FIPS 180-4, 6.2.2): the hash value after a block of 16 words (int32). The
 * schedule keeps the last 16 words (w[t-16] … w[t-1]) and reads them by destructuring: the local
 * runtime's termination proof (local/appsync/runtime/bounded.ts) takes no computed index.
 */
function compress(hash: HashValue, words: number[]): HashValue {
  const [h0, h1, h2, h3, h4, h5, h6, h7] = hash;
  let [a, b, c, d, e, f, g, h] = hash;
  let next = words;
  let window = words;
  let t = 0;
  for (const k of K) {
    let w = 0;
    if (t < 16) {
      const [head, ...rest] = next;
      w = head ?? 0;
      next = rest;
    } else {
      const [w16, w15] = window;
      const [w7] = window.slice(9, 10);
      const [w2] = window.slice(14, 15);
      const x = w15 ?? 0;
      const y = w2 ?? 0;
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w = ((w16 ?? 0) + s0 + (w7 ?? 0) + s1) | 0;
      window = window.slice(1).concat([w]);
    }
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ ((e ^ -1) & g);
    const t1 = (h + S1 + ch + k + w) | 0;
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
    t = t + 1;
  }
  return [
    (a + h0) | 0,
    (b + h1) | 0,
    (c + h2) | 0,
    (d + h3) | 0,
    (e + h4) | 0,
    (f + h5) | 0,
    (g + h6) | 0,
    (h + h7) | 0,
  ];
}

/** SHA-256 (FIPS 180-4) of a message of bytes (0 … 255 each): its 32-byte digest. */
export function sha256(message: number[]): number[] {
  const bits = message.length * 8;
  // Padding (5.1.1): a 1 bit, zeros up to 56 bytes past a block boundary, the length in bits (64-bit).
  const zeros = (((55 - message.length) % 64) + 64) % 64;
  const bytes = message.concat(
    [0x80],
    ZEROS.slice(0, zeros),
    wordBytes(Math.floor(bits / 0x100000000)),
    wordBytes(bits >>> 0),
  );
  const words = bytes
    .filter((_, i) => i % 4 === 0)
    .map((_, j) => {
      const [b0, b1, b2, b3] = bytes.slice(4 * j, 4 * j + 4);
      return ((b0 ?? 0) << 24) | ((b1 ?? 0) << 16) | ((b2 ?? 0) << 8) | (b3 ?? 0);
    });
  // The initial hash value: the fractional parts of the square roots of the first 8 primes (5.3.3).
  let hash: HashValue = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ];
  for (const start of words.filter((_, i) => i % 16 === 0).map((_, j) => 16 * j)) {
    hash = compress(hash, words.slice(start, start + 16));
  }
  const [h0, h1, h2, h3, h4, h5, h6, h7] = hash;
  return wordBytes(h0).concat(
    wordBytes(h1),
    wordBytes(h2),
    wordBytes(h3),
    wordBytes(h4),
    wordBytes(h5),
    wordBytes(h6),
    wordBytes(h7),
  );
}

/**
 * The bytes a URL-encoded string stands for: util.urlEncode's output (application/x-www-form-urlencoded
 * of the string's UTF-8 bytes, Java's URLEncoder: `%XX` a byte, `+` a space, any other character is
 * printable ASCII and its own byte). So these are exactly the UTF-8 bytes of the string that was encoded,
 * whichever characters the encoder chose to escape.
 */
export function urlEncodedBytes(encoded: string): number[] {
  const bytes: number[] = [];
  // How many hex digits of a %XX escape are still to come, and the value read so far.
  let pending = 0;
  let value = 0;
  for (const ch of encoded.split('')) {
    if (pending > 0) {
      value = value * 16 + HEX.indexOf(ch.toUpperCase());
      pending = pending - 1;
      if (pending === 0) bytes.push(value);
    } else if (ch === '%') {
      pending = 2;
      value = 0;
    } else if (ch === '+') bytes.push(0x20);
    else bytes.push(0x20 + ASCII.indexOf(ch));
  }
  return bytes;
}

/** 26 characters of Crockford's base 32 (the alphabet and length of a ULID): the first 130 bits of a digest. */
function base32Id(digest: readonly number[]): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of digest.slice(0, 17)) {
    // At most 4 bits are left over from the byte before, so 12 bits hold what is still to write.
    buffer = ((buffer << 8) | b) & 0xfff;
    bits = bits + 8;
    for (const _ of [0, 1]) {
      if (bits >= 5 && out.length < 26) {
        bits = bits - 5;
        out = out + ORDER_ID_ALPHABET.charAt((buffer >>> bits) & 31);
      }
    }
  }
  return out;
}

/**
 * An id derived from its parts, each given URL-encoded (util.urlEncode): the first 130 bits of the
 * SHA-256 of the parts' UTF-8 bytes, each part preceded by its length in bytes (32-bit big-endian, so no
 * two lists of parts hash the same message whatever characters they hold), as 26 Crockford base-32
 * characters. The same parts always give the same id; other parts collide with odds of about 2^-130 per
 * pair (2^-51 over 2^40 ids), and the id tells nothing of the parts but to someone who can guess them all.
 */
export function derivedId(urlEncodedParts: readonly string[]): string {
  let message: number[] = [];
  for (const part of urlEncodedParts) {
    const bytes = urlEncodedBytes(part);
    message = message.concat(wordBytes(bytes.length), bytes);
  }
  return base32Id(sha256(message));
}
