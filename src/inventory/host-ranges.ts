// Host patterns as inventory files write them: `name[:port]` with `[a:b(:step)]` ranges.
// Reproduces ansible.parsing.utils.addresses.parse_address (to split off a port) and
// ansible.plugins.inventory.expand_hostname_range (to expand ranges), as used by
// BaseInventoryPlugin._expand_hostpattern.

const W = String.raw`[\p{L}\p{N}_]`; // Python's Unicode \w
const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const V6 = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const V4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const LABEL = `(?:${W}|${ALNUM_RANGE})(?:[\\p{L}\\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;

// Sticky ('y') regexes match at the start only, like Python's re.match. The IPv6
// expression keeps Python's precedence: `^` binds the first alternative, `$` the last.
const PATTERNS = {
  bracketedHostport: /^\[(.+)\]:([0-9]+)$/y,
  hostport: /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/y,
  ipv4: new RegExp(`^(?:${V4}\\.){3}${V4}$`, 'iy'),
  ipv6: new RegExp([
    `^(?:${V6}:){7}${V6}`, `(?:${V6}:){1,6}:`, `(?:${V6}:)(?::${V6}){1,6}`,
    `(?:${V6}:){2}(?::${V6}){1,5}`, `(?:${V6}:){3}(?::${V6}){1,4}`, `(?:${V6}:){4}(?::${V6}){1,3}`,
    `(?:${V6}:){5}(?::${V6}){1,2}`, `(?:${V6}:){6}(?::${V6})`, `:(?::${V6}){1,6}`, `${V6}?::`,
    `(?:0:){6}(?:${V6}\\.){3}${V6}`, `::(?:ffff:)?(?:${V6}\\.){3}${V6}`, `(?:0:){5}ffff:(?:${V6}\\.){3}${V6}$`,
  ].join('|'), 'iy'),
  hostname: new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iuy'),
};

function matchStart(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(s);
}

/** True for IPv4/IPv6 addresses (inventory_hostname_short keeps them whole). */
export function isIpAddress(name: string): boolean {
  return matchStart(PATTERNS.ipv4, name) !== null || matchStart(PATTERNS.ipv6, name) !== null;
}

/** parse_address(address, allow_ranges=True): host and port, or null if not an address. */
export function parseAddress(address: string): { host: string; port: number | null } | null {
  let port: number | null = null;
  let rest = address;
  for (const re of [PATTERNS.bracketedHostport, PATTERNS.hostport]) {
    const m = matchStart(re, rest);
    if (m) {
      rest = m[1]!;
      port = Number(m[2]);
    }
  }
  const ok = [PATTERNS.ipv4, PATTERNS.ipv6, PATTERNS.hostname].some((re) => matchStart(re, rest) !== null);
  return ok ? { host: rest, port } : null;
}

export class HostRangeError extends Error {}

/** Hosts one pattern, and a whole inventory, may stand for (`web[0:99999999]` ran out of memory; 100,000 load in about 1.4 s). */
export const MAX_HOSTS = 100_000;

/** _expand_hostpattern: the host names a pattern stands for, and its port if it has one. */
export function expandHostPattern(pattern: string): { hosts: string[]; port: number | null } {
  const addr = parseAddress(pattern);
  const base = addr ? addr.host : pattern;
  const port = addr ? addr.port : null;
  return { hosts: base.includes('[') ? expandHostnameRange(base) : [base], port };
}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** expand_hostname_range: `db[01:03]-x` → db01-x, db02-x, db03-x; nested ranges recurse. */
export function expandHostnameRange(line: string): string[] {
  // Python: line.replace('[', '|', 1).replace(']', '|', 1).split('|') must give 3 parts.
  const parts = line.replace('[', '|').replace(']', '|').split('|');
  if (parts.length !== 3) throw new HostRangeError('host range must be enclosed in one pair of [ ]');
  const [head, nrange, tail] = parts as [string, string, string];
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError('host range must be begin:end or begin:end:step');
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (!end) throw new HostRangeError('host range must specify end value');
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) throw new HostRangeError('host range must specify equal-length begin and end formats');
    fill = (x) => zfill(String(x), beg.length);
  }
  const step = pyInt(stepText);
  if (step === null) throw new HostRangeError(`invalid step "${stepText}"`);
  // kvmplay refuses ranges that expand to nothing (Ansible silently adds no host).
  if (step < 1) throw new HostRangeError('host range step must be at least 1');
  let seq: Array<string | number>;
  const iBeg = ASCII_LETTERS.indexOf(beg);
  const iEnd = ASCII_LETTERS.indexOf(end);
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new HostRangeError('host range must have begin <= end');
    seq = [];
    for (let i = iBeg; i <= iEnd; i += step) seq.push(ASCII_LETTERS[i]!);
  } else {
    const b = pyInt(beg);
    const e = pyInt(end);
    if (b === null || e === null) throw new HostRangeError(`"${beg}:${end}" is neither a numeric nor an alphabetic range`);
    if (b > e) throw new HostRangeError('host range must have begin <= end');
    const count = Math.floor((e - b) / step) + 1;
    if (count > MAX_HOSTS) throw new HostRangeError(`the range stands for ${count} hosts, more than ${MAX_HOSTS}`);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  const out: string[] = [];
  for (const x of seq) {
    const name = head + fill(x) + tail;
    if (name.includes('[')) out.push(...expandHostnameRange(name));
    else out.push(name);
    if (out.length > MAX_HOSTS) throw new HostRangeError(`the nested ranges stand for more than ${MAX_HOSTS} hosts`);
  }
  return out;
}

/** Python int(s) for decimal text: surrounding blanks, a sign, single underscores between digits. */
function pyInt(s: string): number | null {
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(s);
  if (!m) return null;
  const v = Number(m[2]!.replace(/_/g, ''));
  return m[1] === '-' ? -v : v;
}

/** Python str.zfill. */
function zfill(s: string, width: number): string {
  if (s.length >= width) return s;
  const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
  return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
}
