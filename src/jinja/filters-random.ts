// `random` and `shuffle` as Ansible computes them: without a seed from the system's
// random source, with one from Python's random.Random(seed): the Mersenne Twister
// (MT19937) seeded as CPython seeds it (a string seed is its bytes plus their SHA-512,
// read as one big integer), so `hosts | random(seed=inventory_hostname)` picks the
// same host Ansible picks.
import { createHash, randomInt } from 'node:crypto';
import type { Builtin, CallContext } from './builtin.js';
import { intArg, iterate } from './filters-support.js';
import { truthy, typeName } from './values.js';

/** CPython's _randommodule.c generator. */
class Mersenne {
  readonly #mt = new Uint32Array(624);
  #index = 625;

  constructor(key: readonly number[]) {
    this.#initGenrand(19650218);
    const mt = this.#mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      mt[i] = ((mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j) >>> 0;
      i++; j++;
      if (i >= 624) { mt[0] = mt[623]!; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      mt[i] = ((mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) { mt[0] = mt[623]!; i = 1; }
    }
    mt[0] = 0x80000000;
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) mt[i] = (Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i) >>> 0;
    this.#index = 624;
  }

  #uint32(): number {
    const mt = this.#mt;
    if (this.#index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.#index = 0;
    }
    let y = mt[this.#index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** random._randbelow(n) for 0 < n < 2^32: rejection sampling over bit_length(n) bits. */
  below(n: number): number {
    const k = n.toString(2).length; // n.bit_length()
    for (;;) {
      const r = this.#uint32() >>> (32 - k);
      if (r < n) return r;
    }
  }
}

/** The 32-bit words, least significant first, of the integer Python's seed() makes of `seed`. */
function seedKey(seed: unknown, ctx: CallContext): number[] {
  let n: bigint;
  if (typeof seed === 'number' && Number.isInteger(seed)) n = BigInt(Math.abs(seed));
  else if (typeof seed === 'boolean') n = BigInt(Number(seed));
  else if (typeof seed === 'string') {
    const bytes = Buffer.from(seed, 'utf8');
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
    n = BigInt(`0x${all.toString('hex')}`);
  } else return ctx.fail(`random: a seed must be a string or an integer, not a ${typeName(seed)}`);
  const words: number[] = [];
  do {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  } while (n > 0n);
  return words;
}

const below = (rng: Mersenne | null, n: number): number => (rng ? rng.below(n) : randomInt(n));

const random: Builtin = {
  // random(start=None, step=None, seed=None): an integer in range(start, end, step), or an item.
  minArgs: 0, maxArgs: 2, kwargs: ['start', 'step', 'seed'],
  apply: (v, [start, step], ctx, kw) => {
    const seed = kw.seed ?? null;
    const rng = seed === null ? null : new Mersenne(seedKey(seed, ctx));
    const s = start ?? kw.start;
    const st = step ?? kw.step;
    if (typeof v === 'number' && Number.isInteger(v)) {
      const from = truthy(s) ? intArg(s, 'start', ctx) : 0;
      const by = truthy(st) ? intArg(st, 'step', ctx) : 1;
      const n = by > 0 ? Math.floor((v - from + by - 1) / by) : Math.floor((v - from + by + 1) / by);
      if (n <= 0) ctx.fail(`empty range for randrange() (${from}, ${v}, ${v - from})`);
      if (n >= 2 ** 32) ctx.fail('random: the range is too large');
      return from + by * below(rng, n);
    }
    if (truthy(s) || truthy(st)) ctx.fail('start and step can only be used with integer values');
    const items = iterate(v, 'random', ctx);
    if (items.length === 0) ctx.fail('random: cannot choose from an empty sequence');
    return items[below(rng, items.length)];
  },
};

const shuffle: Builtin = {
  minArgs: 0, maxArgs: 0, kwargs: ['seed'],
  apply: (v, _a, ctx, kw) => {
    const list = [...iterate(v, 'shuffle', ctx)];
    const rng = truthy(kw.seed) ? new Mersenne(seedKey(kw.seed, ctx)) : null;
    for (let i = list.length - 1; i > 0; i--) {
      const j = below(rng, i + 1);
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  },
};

export const RANDOM_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['random', random],
  ['shuffle', shuffle],
];
