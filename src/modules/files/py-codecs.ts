// Python's text codecs as Ansible's file modules use them (`to_text(…, errors=
// 'surrogate_or_strict')`): bytes that do not decode become lone surrogates U+DC80–
// U+DCFF (surrogateescape) and are written back as the same bytes, so a file that is
// not valid in its encoding survives an edit byte for byte. Only the codecs a POSIX
// host's text files use: UTF-8, Latin-1 and ASCII. Pure.

export type PyCodec = 'utf-8' | 'latin-1' | 'ascii';

// Python's names for them (encodings.aliases), after its normalisation: lower case, `-` and ` ` as `_`.
const NAMES: ReadonlyMap<string, PyCodec> = new Map([
  ...['utf_8', 'utf8', 'u8', 'utf', 'utf8_ucs2', 'utf8_ucs4', 'cp65001'].map((n) => [n, 'utf-8'] as const),
  ...['latin_1', 'latin1', 'latin', 'l1', 'iso8859_1', 'iso_8859_1', 'iso8859', '8859', 'cp819', 'ibm819', 'iso_ir_100', 'csisolatin1', 'iso_8859_1_1987']
    .map((n) => [n, 'latin-1'] as const),
  ...['ascii', 'us_ascii', 'us', '646', 'cp367', 'ibm367', 'csascii', 'iso646_us', 'iso_ir_6', 'ansi_x3.4_1968', 'ansi_x3_4_1968', 'ansi_x3.4_1986']
    .map((n) => [n, 'ascii'] as const),
]);

/** The codec Python means by `name`; undefined for one kvmplay does not have. */
export function codecNamed(name: string): PyCodec | undefined {
  return NAMES.get(name.trim().toLowerCase().replace(/[- ]/g, '_'));
}

const escaped = (byte: number): string => String.fromCharCode(0xdc00 + byte);

/** bytes.decode(codec, 'surrogateescape'). */
export function pyDecode(buf: Buffer, codec: PyCodec): string {
  if (codec === 'latin-1') return buf.toString('latin1');
  if (codec === 'ascii') return Array.from(buf, (b) => (b < 0x80 ? String.fromCharCode(b) : escaped(b))).join('');
  const fast = buf.toString('utf8');
  if (Buffer.byteLength(fast) === buf.length && Buffer.from(fast, 'utf8').equals(buf)) return fast;
  let out = '';
  for (let i = 0; i < buf.length;) {
    const n = utf8SequenceLength(buf, i);
    if (n === 0) {
      out += escaped(buf[i]!);
      i++;
    } else {
      out += buf.subarray(i, i + n).toString('utf8');
      i += n;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence at `i` (Python's strict rules), 0 when there is none. */
function utf8SequenceLength(buf: Buffer, i: number): number {
  const b0 = buf[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < buf.length && buf[i + k]! >= lo && buf[i + k]! <= hi;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // No overlong forms (E0 80–9F) and no encoded surrogates (ED A0–BF).
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** str.encode(codec, 'surrogateescape'); throws, as Python does, on a character the codec has no byte for. */
export function pyEncode(text: string, codec: PyCodec): Buffer {
  const limit = codec === 'utf-8' ? Infinity : codec === 'latin-1' ? 0x100 : 0x80;
  const out: Buffer[] = [];
  let run = '';
  const flush = (): void => {
    if (run !== '') out.push(Buffer.from(run, codec === 'utf-8' ? 'utf8' : 'latin1'));
    run = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
    if (c >= 0xdc80 && c <= 0xdcff) {
      flush();
      out.push(Buffer.from([c - 0xdc00]));
    } else if ((c >= 0xd800 && c <= 0xdfff && !high) || (high ? 0x10000 : c) >= limit) {
      const at = high ? text.codePointAt(i) ?? c : c;
      throw new Error(`'${codec}' codec can't encode character '\\u${at.toString(16).padStart(4, '0')}' in position ${i}`);
    } else {
      run += high ? text.slice(i, i + 2) : text[i];
      if (high) i++;
    }
  }
  flush();
  return Buffer.concat(out);
}
