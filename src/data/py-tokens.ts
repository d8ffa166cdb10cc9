// Just enough of Python 3.11's tokenizer for literal_eval: numbers, string and bytes
// literals (prefixes, escapes, triple quotes), names, brackets and `, : + -`,
// comments and line continuations. Anything else (operators, f-strings, complex
// numbers, bad escapes) makes the source "not a literal": tokenizePy returns null.

export type PyToken =
  | { t: 'num'; v: number; float: boolean }
  | { t: 'str'; v: string; bytes: boolean }
  | { t: 'name'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_RE = new RegExp(
  String.raw`(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.)(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS}`, 'y');
const INT_RE = /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0+(?:_?0)*/y;
const NAME_START = /[\p{L}\p{Nl}_]/u;
const NAME_CHAR = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

class Fail extends Error {}

export function tokenizePy(src: string): PyToken[] | null {
  try {
    return tokenize(src);
  } catch (e) {
    if (e instanceof Fail) return null;
    throw e;
  }
}

function tokenize(s: string): PyToken[] {
  const out: PyToken[] = [];
  let i = 0;
  let depth = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
    } else if (c === '\\' && (s[i + 1] === '\n' || s[i + 1] === '\r')) {
      i += s.startsWith('\r\n', i + 1) ? 3 : 2; // explicit line joining
    } else if (c === '#') {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (c === '\n' || c === '\r') {
      i++;
      // In eval mode a new logical line may only hold blanks and comments.
      if (depth === 0 && /[^\s]/.test(s.slice(i).replace(/#[^\r\n]*/g, ''))) throw new Fail();
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(s[i + 1] ?? ''))) {
      i = number(s, i, out);
    } else if (c === "'" || c === '"') {
      i = string(s, i, '', out);
    } else if (NAME_START.test(c) || c.charCodeAt(0) > 0x7f) {
      let j = i + 1;
      while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
      const name = s.slice(i, j);
      if (s[j] === "'" || s[j] === '"') {
        i = string(s, j, name, out);
      } else {
        if (!NAME_START.test(c)) throw new Fail();
        out.push({ t: 'name', v: name });
        i = j;
      }
    } else if ('([{'.includes(c)) {
      depth++;
      out.push({ t: 'op', v: c });
      i++;
    } else if (')]}'.includes(c)) {
      depth--;
      if (depth < 0) throw new Fail();
      out.push({ t: 'op', v: c });
      i++;
    } else if (',:+-'.includes(c)) {
      if (c === ':' && s[i + 1] === '=') throw new Fail(); // walrus
      out.push({ t: 'op', v: c });
      i++;
    } else {
      throw new Fail();
    }
  }
  if (depth !== 0) throw new Fail();
  out.push({ t: 'end' });
  return out;
}

function number(s: string, i: number, out: PyToken[]): number {
  FLOAT_RE.lastIndex = i;
  const f = FLOAT_RE.exec(s);
  let end: number;
  if (f) {
    end = i + f[0].length;
    out.push({ t: 'num', v: Number(f[0].replace(/_/g, '')), float: true });
  } else {
    INT_RE.lastIndex = i;
    const m = INT_RE.exec(s);
    if (!m) throw new Fail();
    end = i + m[0].length;
    out.push({ t: 'num', v: intValue(m[0].replace(/_/g, '')), float: false });
  }
  // `0777` (leading zeros), `1_`, `1j` (complex), `1abc`: not a literal we can represent.
  if (end < s.length && /[\w.]/u.test(s[end]!)) throw new Fail();
  return end;
}

function intValue(lit: string): number {
  const p = lit.slice(0, 2).toLowerCase();
  const body = lit.slice(2);
  if (p === '0x') return Number(BigInt(`0x${body}`));
  if (p === '0o') return Number(BigInt(`0o${body}`));
  if (p === '0b') return Number(BigInt(`0b${body}`));
  return Number(BigInt(lit));
}

function string(s: string, i: number, prefix: string, out: PyToken[]): number {
  const p = prefix.toLowerCase();
  if (!['', 'r', 'u', 'b', 'br', 'rb'].includes(p)) throw new Fail(); // f-strings are not literals
  const raw = p.includes('r');
  const bytes = p.includes('b');
  const q = s[i]!;
  const triple = s.startsWith(q.repeat(3), i);
  let j = i + (triple ? 3 : 1);
  let v = '';
  for (;;) {
    if (j >= s.length) throw new Fail(); // unterminated
    const c = s[j]!;
    if (triple ? s.startsWith(q.repeat(3), j) : c === q) {
      j += triple ? 3 : 1;
      break;
    }
    if ((c === '\n' || c === '\r') && !triple) throw new Fail();
    if (c !== '\\') {
      if (bytes && c.charCodeAt(0) > 0x7f) throw new Fail();
      v += c;
      j++;
      continue;
    }
    const n = s[j + 1];
    if (n === undefined) throw new Fail();
    if (raw) {
      v += c + n; // a raw string keeps the backslash; it only stops the quote from closing
      j += 2;
      continue;
    }
    const esc = escape(s, j + 1, bytes);
    v += esc.text;
    j = esc.end;
  }
  out.push({ t: 'str', v: bytes ? decodeBytes(v) : v, bytes });
  return j;
}

/** One backslash escape starting at s[k] (the character after the backslash). */
function escape(s: string, k: number, bytes: boolean): { text: string; end: number } {
  const n = s[k]!;
  if (n === '\n') return { text: '', end: k + 1 };
  if (n === '\r') return { text: '', end: s[k + 1] === '\n' ? k + 2 : k + 1 };
  if (n in SIMPLE_ESCAPES) return { text: SIMPLE_ESCAPES[n]!, end: k + 1 };
  const oct = /^[0-7]{1,3}/.exec(s.slice(k, k + 3));
  if (oct) {
    const code = parseInt(oct[0], 8);
    if (bytes && code > 0xff) throw new Fail();
    return { text: String.fromCodePoint(code), end: k + oct[0].length };
  }
  const hexLen = n === 'x' ? 2 : !bytes && n === 'u' ? 4 : !bytes && n === 'U' ? 8 : 0;
  if (hexLen) {
    const hex = s.slice(k + 1, k + 1 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new Fail();
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw new Fail();
    return { text: String.fromCodePoint(code), end: k + 1 + hexLen };
  }
  if (n === 'N' && !bytes) throw new Fail(); // \N{NAME}: no Unicode name table here
  return { text: `\\${n}`, end: k + 1 }; // unknown escapes keep their backslash
}

/** Ansible's to_text() on a bytes result: UTF-8. */
function decodeBytes(latin1: string): string {
  const buf = Uint8Array.from(latin1, (ch) => ch.charCodeAt(0));
  return new TextDecoder('utf-8').decode(buf);
}
