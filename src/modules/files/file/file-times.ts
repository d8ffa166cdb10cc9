// `file`'s access_time / modification_time: 'now', 'preserve' or a time written in a
// Python strptime format (default '%Y%m%d%H%M.%S'), as Ansible's file module reads them.
// Parsing is pure; the wall-clock time becomes seconds since the epoch on the host
// (`date -d`, the host's time zone, as Python's time.mktime there).

/** What a time argument asks for: leave it, the moment of the change, or a local wall-clock time. */
export type TimeWant = { kind: 'preserve' } | { kind: 'now' } | { kind: 'at'; local: string };

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const alt = (names: readonly string[]): string => names.map((n) => n).join('|');

// Python's _strptime regexes for the directives it knows (case-insensitive).
const DIRECTIVES: Readonly<Record<string, string>> = {
  Y: '(?<Y>\\d\\d\\d\\d)',
  y: '(?<y>\\d\\d)',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  d: '(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  H: '(?<H>2[0-3]|[0-1]\\d|\\d)',
  I: '(?<I>1[0-2]|0[1-9]|[1-9])',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[0-1]|[0-5]\\d|\\d)',
  j: '(?<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])',
  p: '(?<p>am|pm)',
  b: `(?<b>${alt(MONTHS.map((m) => m.slice(0, 3)))})`,
  h: `(?<b>${alt(MONTHS.map((m) => m.slice(0, 3)))})`,
  B: `(?<B>${alt(MONTHS)})`,
  a: `(?:${alt(DAYS.map((d) => d.slice(0, 3)))})`,
  A: `(?:${alt(DAYS)})`,
};

/** Python's time.strptime for the common directives: the wall-clock fields, or its ValueError text. */
export function strptime(text: string, format: string): WallClock | { error: string } {
  let re = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] ?? '';
    if (c === '%' && i + 1 < format.length) {
      const d = format[++i] ?? '';
      if (d === '%') re += '%';
      else if (DIRECTIVES[d] !== undefined) {
        // A directive used twice: Python refuses the format (redefinition of group name).
        if (re.includes(`(?<${d === 'h' ? 'b' : d}>`)) return { error: `redefinition of group name '${d}'` };
        re += DIRECTIVES[d];
      } else return { error: `'${d}' is a bad directive in format '${format}'` };
    } else if (/\s/.test(c)) {
      re += '\\s+';
      while (i + 1 < format.length && /\s/.test(format[i + 1] ?? '')) i++;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(`^${re}`, 'i').exec(text);
  if (!m) return { error: `time data '${text}' does not match format '${format}'` };
  if (m[0].length !== text.length) return { error: `unconverted data remains: ${text.slice(m[0].length)}` };
  const g = m.groups ?? {};
  let year = 1900;
  if (g['Y'] !== undefined) year = Number(g['Y']);
  else if (g['y'] !== undefined) year = Number(g['y']) + (Number(g['y']) <= 68 ? 2000 : 1900);
  let month = g['m'] !== undefined ? Number(g['m']) : 1;
  if (g['b'] !== undefined) month = MONTHS.findIndex((x) => x.startsWith(g['b']?.toLowerCase() ?? '')) + 1;
  if (g['B'] !== undefined) month = MONTHS.indexOf(g['B'].toLowerCase()) + 1;
  let day = g['d'] !== undefined ? Number(g['d'].trim()) : 1;
  let hour = g['H'] !== undefined ? Number(g['H']) : 0;
  if (g['I'] !== undefined) {
    hour = Number(g['I']) % 12;
    if ((g['p'] ?? '').toLowerCase() === 'pm') hour += 12;
  }
  if (g['j'] !== undefined && g['m'] === undefined && g['d'] === undefined && g['b'] === undefined && g['B'] === undefined) {
    const at = new Date(Date.UTC(year, 0, Number(g['j'])));
    month = at.getUTCMonth() + 1;
    day = at.getUTCDate();
  }
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return { error: 'day is out of range for month' };
  return { year, month, day, hour, minute: g['M'] !== undefined ? Number(g['M']) : 0, second: g['S'] !== undefined ? Number(g['S']) : 0 };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The wall clock as `date -d` reads it (local time on the host). A leap second 60/61 is the next minute, as mktime makes it. */
export function dateArg(t: WallClock): string {
  // `N seconds` (never `+N`: date would read that as a time zone).
  return `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:00 ${t.second} seconds`;
}

/**
 * A time argument → what it asks for. `state` decides what no value means, as Ansible's
 * keep_backward_compatibility_on_timestamps does: `now` for touch, `preserve` otherwise.
 */
export function timeWant(value: string | undefined, format: string, state: string): TimeWant | { error: string } {
  const v = value ?? (state === 'touch' ? 'now' : 'preserve');
  if (v === 'preserve') return { kind: 'preserve' };
  if (v === 'now') return { kind: 'now' };
  const t = strptime(v, format);
  if ('error' in t) return { error: `Error while obtaining timestamp for time ${v} using format ${format}: ${t.error}` };
  return { kind: 'at', local: dateArg(t) };
}

/** A time to set: the moment of the change, seconds since the epoch, or none (keep it). */
export type TimeSet = 'now' | number | null;

/**
 * Whether setting these times changes anything (Ansible's update_timestamp_for_file):
 * `now` always does; a given time does unless the current one is exactly it (the
 * current times are `%.9X %.9Y` text: a fraction of a second differs).
 */
export function timesDiffer(atime: TimeSet, mtime: TimeSet, current: { atime: string; mtime: string } | null): boolean {
  if (atime === null && mtime === null) return false;
  if (atime === 'now' || mtime === 'now' || current === null) return true;
  const same = (want: number | null, cur: string): boolean => want === null || cur === `${want}.000000000` || cur === String(want);
  return !(same(atime, current.atime) && same(mtime, current.mtime));
}

/** The `touch` argvs that set the times (-c: never create; a link's target gets them, as os.utime). */
export function touchArgvs(path: string, atime: TimeSet, mtime: TimeSet, recursive = false): string[][] {
  const run = (opts: string[]): string[] => (recursive
    ? ['find', path, '-mindepth', '1', '-exec', 'touch', '-c', ...opts, '--', '{}', '+']
    : ['touch', '-c', ...opts, '--', path]);
  const at = (t: TimeSet): string[] => (typeof t === 'number' ? ['-d', `@${t}`] : []);
  if (atime === mtime && atime !== null) return [run(at(atime))];
  const out: string[][] = [];
  if (atime !== null) out.push(run(['-a', ...at(atime)]));
  if (mtime !== null) out.push(run(['-m', ...at(mtime)]));
  return out;
}
