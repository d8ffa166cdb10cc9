// `{{kib vm.memory}}`: a size in KiB, the unit libvirt's <memory> defaults to.
//
// Units are binary, as in qemu-img and virsh: K/KiB = 1024 bytes, M/MiB = 1024 KiB,
// G/GiB, T/TiB, P/PiB (letters in any case), B = bytes. A plain number, or a string of
// digits without a unit, is already KiB (kib is the identity on KiB). The decimal
// spellings KB/MB/GB/TB are refused rather than guessed: libvirt reads "GB" as 10^9
// bytes, most people mean 2^30. Fractions are fine when the result is a whole
// number of KiB (1.5GiB = 1572864); anything else is an error, never rounded.

const KIB_PER_UNIT: Readonly<Record<string, bigint>> = {
  k: 1n,
  m: 1024n,
  g: 1024n ** 2n,
  t: 1024n ** 3n,
  p: 1024n ** 4n,
};

const SIZE = /^(\d+)(?:\.(\d+))?\s*([A-Za-z]*)$/;

/** Bytes per unit as a fraction of KiB: [numerator, denominator]. */
function unitInKib(unit: string, size: string): [bigint, bigint] {
  if (unit === '') return [1n, 1n];
  if (unit === 'B') return [1n, 1024n];
  const m = /^([kmgtp])(i?b)?$/i.exec(unit);
  if (!m || !m[1]) throw new RangeError(`invalid size ${JSON.stringify(size)}: unknown unit ${JSON.stringify(unit)} (use K, M, G, T, KiB, MiB, GiB, TiB or B)`);
  const letter = m[1].toLowerCase();
  if (m[2] && m[2].toLowerCase() === 'b') {
    const binary = `${letter.toUpperCase()}iB`;
    throw new RangeError(`ambiguous size ${JSON.stringify(size)}: write ${binary} (binary, ${binary.slice(0, 1)} = 1024^n) instead of ${unit}`);
  }
  return [KIB_PER_UNIT[letter] ?? 1n, 1n];
}

/** Size in KiB, e.g. kib('4GiB') = 4194304, kib('512M') = 524288, kib(2048) = 2048. */
export function kib(size: unknown): number {
  if (typeof size === 'number') {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid size ${size}: a number is KiB and must be a whole number ≥ 0`);
    return size;
  }
  if (typeof size !== 'string') throw new TypeError(`a size must be a string like "4GiB" or a number of KiB, not ${size === null ? 'null' : typeof size}`);
  const m = SIZE.exec(size.trim());
  if (!m || m[1] === undefined) throw new RangeError(`invalid size ${JSON.stringify(size)} (expected e.g. 4GiB, 512M, 2048)`);
  const fraction = m[2] ?? '';
  const [num, den] = unitInKib(m[3] ?? '', size);
  // Exact arithmetic: "1.5" is 15/10, so KiB = 15 * num / (10 * den).
  const mantissa = BigInt(m[1] + fraction);
  const scale = 10n ** BigInt(fraction.length) * den;
  const total = mantissa * num;
  if (total % scale !== 0n) throw new RangeError(`invalid size ${JSON.stringify(size)}: not a whole number of KiB`);
  const result = total / scale;
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`invalid size ${JSON.stringify(size)}: too large`);
  return Number(result);
}
