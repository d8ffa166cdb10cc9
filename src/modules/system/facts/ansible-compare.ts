// kvmplay's Ansible-named facts against what Ansible's own `setup` returned for the same
// host: which keys must be equal, and — for each key that cannot be, by nature — why, and
// what is compared instead. Shared by the unit test (recorded outputs of both) and the
// end-to-end test (both run live on lab hosts); no product code uses it.
import { isDeepStrictEqual } from 'node:util';

type Dict = Record<string, unknown>;

/** A relaxed comparison: null when the values agree, else what differs. */
type Check = (kvmplay: unknown, ansible: unknown, ctx: { seconds: number }) => string | null;

interface Rule { why: string; check: Check }

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

const sameSet: Check = (a, b) => {
  if (!Array.isArray(a) || !Array.isArray(b)) return 'not lists';
  const sa = [...a].map(String).sort();
  const sb = [...b].map(String).sort();
  return isDeepStrictEqual(sa, sb) ? null : `${JSON.stringify(sa)} vs ${JSON.stringify(sb)}`;
};

/** Within `slack` of each other (values that move between the two runs). */
const near = (slack: (ctx: { seconds: number }) => number): Check => (a, b, ctx) => {
  if (typeof a !== 'number' || typeof b !== 'number') return `${String(a)} vs ${String(b)}: not numbers`;
  return Math.abs(a - b) <= slack(ctx) ? null : `${a} vs ${b}: more than ${slack(ctx)} apart`;
};

/** Memory in MB moves as processes come and go between the two runs. */
const MEMORY_SLACK_MB = 1024;

const memoryMb: Check = (a, b, ctx) => {
  if (!isDict(a) || !isDict(b)) return 'not dicts';
  const problems: string[] = [];
  for (const group of ['real', 'nocache', 'swap']) {
    const ga = a[group];
    const gb = b[group];
    if (!isDict(ga) || !isDict(gb)) return `${group}: not dicts`;
    if (!isDeepStrictEqual(Object.keys(ga).sort(), Object.keys(gb).sort())) problems.push(`${group}: keys differ`);
    for (const k of Object.keys(gb)) {
      const exact = k === 'total';
      const p = exact ? (isDeepStrictEqual(ga[k], gb[k]) ? null : `${String(ga[k])} vs ${String(gb[k])}`) : near(() => MEMORY_SLACK_MB)(ga[k], gb[k], ctx);
      if (p) problems.push(`${group}.${k}: ${p}`);
    }
  }
  return problems.length ? problems.join('; ') : null;
};

const DATE_FORMATS: Readonly<Record<string, RegExp>> = {
  year: /^\d{4}$/, month: /^\d\d$/, weekday: /^[A-Z][a-z]+day$/, weekday_number: /^[0-6]$/, weeknumber: /^\d\d$/,
  day: /^\d\d$/, hour: /^\d\d$/, minute: /^\d\d$/, second: /^\d\d$/, epoch: /^\d+$/, epoch_int: /^\d+$/,
  date: /^\d{4}-\d\d-\d\d$/, time: /^\d\d:\d\d:\d\d$/, iso8601_micro: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
  iso8601: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, iso8601_basic: /^\d{8}T\d{12}$/, iso8601_basic_short: /^\d{8}T\d{6}$/,
  tz: /^\S+$/, tz_dst: /^\S+$/, tz_offset: /^[+-]\d{4}$/,
};

const dateTime: Check = (a, b, ctx) => {
  if (!isDict(a) || !isDict(b)) return 'not dicts';
  const problems: string[] = [];
  if (!isDeepStrictEqual(Object.keys(a).sort(), Object.keys(b).sort())) problems.push(`keys ${Object.keys(a).sort().join(',')} vs ${Object.keys(b).sort().join(',')}`);
  for (const [k, re] of Object.entries(DATE_FORMATS)) {
    if (!re.test(String(a[k]))) problems.push(`${k}=${String(a[k])} is not like Ansible's`);
    if (!re.test(String(b[k]))) problems.push(`Ansible's ${k}=${String(b[k])} is not as expected`);
  }
  for (const k of ['tz', 'tz_dst', 'tz_offset']) if (a[k] !== b[k]) problems.push(`${k}: ${String(a[k])} vs ${String(b[k])}`);
  // The same instant within the runs' distance: epoch, and the local date/time fields agree with it.
  const p = near((c) => c.seconds)(Number(a['epoch']), Number(b['epoch']), ctx);
  if (p) problems.push(`epoch ${p}`);
  if (a['epoch'] !== a['epoch_int']) problems.push('epoch_int differs from epoch');
  const local = `${String(a['year'])}-${String(a['month'])}-${String(a['day'])} ${String(a['hour'])}:${String(a['minute'])}:${String(a['second'])}`;
  if (`${String(a['date'])} ${String(a['time'])}` !== local) problems.push('date/time differ from their fields');
  const iso = new Date(Number(a['epoch']) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (a['iso8601'] !== iso) problems.push(`iso8601 ${String(a['iso8601'])} is not epoch ${iso}`);
  return problems.length ? problems.join('; ') : null;
};

/**
 * Variables that come from the SSH session rather than the host: the client's address
 * and port; SSH_TTY and TERM (Ansible's ssh asks for a pty); LANG and LC_* (OpenSSH's
 * client sends the controller's locale, Debian's ssh_config `SendEnv LANG LC_*`,
 * kvmplay's SSH client sends none); `_` (the shell that started the probe).
 */
const isConnectionEnv = (k: string): boolean => ['SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY', 'TERM', '_', 'LANG'].includes(k) || k.startsWith('LC_');

const env: Check = (a, b) => {
  if (!isDict(a) || !isDict(b)) return 'not dicts';
  const strip = (e: Dict): Dict => Object.fromEntries(Object.entries(e).filter(([k]) => !isConnectionEnv(k)));
  const sa = strip(a);
  const sb = strip(b);
  if (isDeepStrictEqual(sa, sb)) return null;
  const keys = [...new Set([...Object.keys(sa), ...Object.keys(sb)])].filter((k) => sa[k] !== sb[k]);
  return keys.map((k) => `${k}: ${JSON.stringify(sa[k])} vs ${JSON.stringify(sb[k])}`).join('; ');
};

/** The keys that cannot be equal by nature, with why and what is compared instead. */
export const RELAXED: Readonly<Record<string, Rule>> = {
  date_time: { why: 'the two runs are seconds apart: same keys, every value in Ansible\'s format, same zone, epochs within the runs\' distance', check: dateTime },
  env: { why: 'the SSH session\'s own variables differ per connection and client (client port; Ansible\'s pty: SSH_TTY, TERM; the locale OpenSSH forwards: LANG, LC_*; `_`): the rest equal', check: env },
  memfree_mb: { why: 'free memory moves between the runs: within 1 GiB', check: near(() => MEMORY_SLACK_MB) },
  swapfree_mb: { why: 'free swap moves between the runs: within 1 GiB', check: near(() => MEMORY_SLACK_MB) },
  memory_mb: { why: 'free/used memory moves between the runs: same shape, totals equal, the rest within 1 GiB', check: memoryMb },
  uptime_seconds: { why: 'read at different instants: within the runs\' distance', check: near((c) => c.seconds) },
  interfaces: { why: 'Ansible\'s order is random (dict keys serialized through a set, hash-randomized per run); kvmplay lists /sys/class/net in directory order: same names', check: sameSet },
  virtualization_tech_guest: { why: 'a Python set in Ansible (random order): same members', check: sameSet },
  virtualization_tech_host: { why: 'a Python set in Ansible (random order): same members', check: sameSet },
};

/** Ansible facts kvmplay does not gather (they need Python on the host, root, or are out of scope). */
export const NOT_GATHERED: ReadonlySet<string> = new Set([
  'python', 'python_version', 'selinux_python_present', 'cmdline', 'proc_cmdline', 'loadavg', 'mounts', 'devices',
  'device_links', 'lvm', 'ansible_local', 'system_capabilities', 'system_capabilities_enforced', 'fibre_channel_wwn',
  'iscsi_iqn', 'hostnqn', 'bios_date', 'bios_vendor', 'bios_version', 'board_asset_tag', 'board_name',
  'board_serial', 'board_vendor', 'board_version', 'chassis_asset_tag', 'chassis_serial', 'chassis_vendor',
  'chassis_version', 'form_factor', 'product_name', 'product_serial', 'product_uuid', 'product_version',
  'system_vendor',
]);

export interface Comparison {
  /** Keys whose values are identical. */
  equal: string[];
  /** Keys compared with a documented relaxation (and they agree under it). */
  relaxed: string[];
  /** Keys Ansible has that kvmplay does not gather (NOT_GATHERED). */
  notGathered: string[];
  /** Everything that does not agree: the test fails on any. */
  problems: string[];
}

/** Ansible's setup output (`ansible_*` keys, as `--tree` writes them) without the prefix, as in `ansible_facts`. */
export function deprefixed(setupFacts: Dict): Dict {
  return Object.fromEntries(Object.entries(setupFacts).map(([k, v]) => [k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice(8) : k, v]));
}

/** `seconds`: how far apart the two runs may have been. */
export function compareWithAnsible(kvmplay: Dict, ansible: Dict, seconds = 120): Comparison {
  const out: Comparison = { equal: [], relaxed: [], notGathered: [], problems: [] };
  const keys = [...new Set([...Object.keys(kvmplay), ...Object.keys(ansible)])].sort();
  for (const key of keys) {
    if (!(key in ansible)) {
      out.problems.push(`${key}: kvmplay has it, Ansible does not (${JSON.stringify(kvmplay[key])})`);
    } else if (!(key in kvmplay)) {
      if (NOT_GATHERED.has(key)) out.notGathered.push(key);
      else out.problems.push(`${key}: Ansible has it, kvmplay does not (${JSON.stringify(ansible[key])})`);
    } else if (isDeepStrictEqual(kvmplay[key], ansible[key])) {
      out.equal.push(key);
    } else {
      const rule = RELAXED[key];
      const problem = rule ? rule.check(kvmplay[key], ansible[key], { seconds }) : `${JSON.stringify(kvmplay[key])} vs Ansible's ${JSON.stringify(ansible[key])}`;
      if (problem === null) out.relaxed.push(key);
      else out.problems.push(`${key}: ${problem}`);
    }
  }
  return out;
}
