// Hash filters: hash(name) and checksum (SHA-1) as hashlib computes them over the UTF-8
// text, and password_hash with the SHA-crypt scheme glibc's crypt() and passlib use
// ($6$ SHA-512, $5$ SHA-256; Ulrich Drepper's specification), so an /etc/shadow
// entry rendered here is the one Ansible would render with the same salt.
import { createHash, getHashes, randomBytes } from 'node:crypto';
import { uuidV5 } from '../util/uuid.js';
import type { Builtin } from './builtin.js';
import { intArg } from './filters-support.js';
import { pyStr } from './values.js';

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = block[i % block.length]!;
  return out;
}

/** The byte order in which SHA-crypt encodes its digest: triples, then the leftover bytes. */
function encodeDigest(d: Buffer): string {
  const n = d.length; // 64 or 32
  const step = n === 64 ? 22 : 21;
  const mod = n - 1 - (n === 32 ? 1 : 0); // 63 for SHA-512, 30 for SHA-256
  const third = n === 64 ? 21 : 10;
  let out = '';
  const put = (b2: number, b1: number, b0: number, chars: number): void => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let i = 0; i < chars; i++) { out += CRYPT_ALPHABET[w & 0x3f]; w >>= 6; }
  };
  for (let k = 0; k < Math.floor(mod / 3); k++) {
    const a = (k * step) % mod;
    put(d[a]!, d[(a + third) % mod]!, d[(a + 2 * third) % mod]!, 4);
  }
  if (n === 64) put(0, 0, d[63]!, 2);
  else put(0, d[31]!, d[30]!, 3);
  return out;
}

/** SHA-crypt of `password` with `salt` (at most 16 characters are used). */
export function shaCrypt(algorithm: 'sha512' | 'sha256', password: string, salt: string, rounds = DEFAULT_ROUNDS): string {
  const H = (...parts: Buffer[]): Buffer => {
    const h = createHash(algorithm);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt, 'utf8').subarray(0, 16);
  const B = H(P, S, P);
  const a = [P, S, repeatTo(B, P.length)];
  for (let len = P.length; len > 0; len >>= 1) a.push(len & 1 ? B : P);
  let C = H(...a);
  const DP = H(...Array.from({ length: P.length }, () => P));
  const Pp = repeatTo(DP, P.length);
  const DS = H(...Array.from({ length: 16 + C[0]! }, () => S));
  const Sp = repeatTo(DS, S.length);
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? Pp : C];
    if (i % 3) parts.push(Sp);
    if (i % 7) parts.push(Pp);
    parts.push(i & 1 ? C : Pp);
    C = H(...parts);
  }
  const ident = algorithm === 'sha512' ? '6' : '5';
  const roundsPart = rounds === DEFAULT_ROUNDS ? '' : `rounds=${rounds}$`;
  return `$${ident}$${roundsPart}${S.toString('utf8')}$${encodeDigest(C)}`;
}

function randomSalt(size: number): string {
  return [...randomBytes(size)].map((b) => CRYPT_ALPHABET[b & 0x3f]).join('');
}

const CRYPT_SCHEMES: ReadonlyMap<string, 'sha512' | 'sha256'> = new Map([
  ['sha512', 'sha512'], ['sha512_crypt', 'sha512'], ['sha256', 'sha256'], ['sha256_crypt', 'sha256'],
]);

const passwordHash: Builtin = {
  // password_hash(hashtype='sha512', salt=None, salt_size=None, rounds=None)
  minArgs: 0, maxArgs: 4, kwargs: ['hashtype', 'salt', 'salt_size', 'rounds'],
  apply: (v, [hashtype, salt, saltSize, rounds], ctx, kw) => {
    const type = pyStr(hashtype ?? kw.hashtype ?? 'sha512');
    const algorithm = CRYPT_SCHEMES.get(type) ?? ctx.fail(`password_hash: '${type}' is not supported (use sha512 or sha256)`);
    const s = salt ?? kw.salt;
    const size = intArg(saltSize ?? kw.salt_size ?? 16, 'salt_size', ctx);
    const saltText = s === undefined || s === null ? randomSalt(size) : pyStr(s);
    if (!/^[./0-9A-Za-z]*$/.test(saltText)) ctx.fail('invalid characters in salt');
    if (saltText.length > 16) ctx.fail('invalid salt size');
    const r = rounds ?? kw.rounds;
    const n = r === undefined || r === null ? DEFAULT_ROUNDS : intArg(r, 'rounds', ctx);
    if (n < 1000 || n > 999_999_999) ctx.fail('password_hash: rounds must be between 1000 and 999999999');
    return shaCrypt(algorithm, pyStr(v), saltText, n);
  },
};

const hash: Builtin = {
  minArgs: 0, maxArgs: 1, kwargs: ['hashtype'],
  apply: (v, [type], ctx, kw) => {
    const name = pyStr(type ?? kw.hashtype ?? 'sha1').toLowerCase();
    if (!getHashes().includes(name)) ctx.fail(`hash: unknown hash type '${name}'`);
    return createHash(name).update(pyStr(v), 'utf8').digest('hex');
  },
};

// Ansible's namespace for to_uuid (ansible/plugins/filter/core.py UUID_NAMESPACE_ANSIBLE).
const ANSIBLE_UUID_NAMESPACE = '361E6D51-FAEC-444A-9079-341386DA8E2E';

const digest = (algorithm: string): Builtin => ({
  minArgs: 0, maxArgs: 0, apply: (v) => createHash(algorithm).update(pyStr(v), 'utf8').digest('hex'),
});

export const HASH_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['md5', digest('md5')],
  ['sha1', digest('sha1')],
  ['to_uuid', {
    minArgs: 0, maxArgs: 1, kwargs: ['namespace'],
    apply: (v, [ns], _c, kw) => uuidV5(pyStr(v), pyStr(ns ?? kw.namespace ?? ANSIBLE_UUID_NAMESPACE)),
  }],
  ['hash', hash],
  ['checksum', digest('sha1')],
  ['password_hash', passwordHash],
];
