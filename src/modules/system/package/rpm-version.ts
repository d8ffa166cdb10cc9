// RPM versions: rpmvercmp and EVR comparison, and the NEVR reading of a package
// specifier that Ansible's dnf module does (_packagename_dict, _split_package_arch).
// Pure and table-tested.

/** rpm's rpmvercmp: < 0, 0, > 0. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);
  const isDigit = (c: string | undefined): boolean => c !== undefined && /[0-9]/.test(c);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    // A tilde sorts before everything, even the end of the version.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // A caret sorts after the end of the version but before anything else.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(a[i]);
    const take = (s: string, k: number): [string, number] => {
      let e = k;
      while (e < s.length && (numeric ? isDigit(s[e]) : /[A-Za-z]/.test(s[e]!))) e++;
      return [s.slice(k, e), e];
    };
    const [sa, ni] = take(a, i);
    const [sb, nj] = take(b, j);
    i = ni;
    j = nj;
    // Numeric segments are newer than alphabetic ones.
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      const x = sa.replace(/^0+/, '');
      const y = sb.replace(/^0+/, '');
      if (x.length !== y.length) return x.length - y.length;
      if (x !== y) return x < y ? -1 : 1;
    } else if (sa !== sb) return sa < sb ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export interface Evr {
  epoch: string;
  version: string;
  release: string;
}

/** rpm's labelCompare of (epoch, version, release). */
export function compareEvr(a: Evr, b: Evr): number {
  const ea = parseInt(a.epoch || '0', 10) || 0;
  const eb = parseInt(b.epoch || '0', 10) || 0;
  if (ea !== eb) return ea - eb;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

// Ansible's list of rpm architectures (a `.arch` suffix is only an arch when it is one of these).
const RPM_ARCHES = new Set([
  'aarch64', 'alphaev56', 'alphaev5', 'alphaev67', 'alphaev6', 'alpha', 'alphapca56', 'amd64', 'armv3l', 'armv4b', 'armv4l',
  'armv5tejl', 'armv5tel', 'armv5tl', 'armv6hl', 'armv6l', 'armv7hl', 'armv7hnl', 'armv7l', 'athlon', 'geode', 'i386', 'i486',
  'i586', 'i686', 'ia32e', 'ia64', 'm68k', 'mips64el', 'mips64', 'mips64r6el', 'mips64r6', 'mipsel', 'mips', 'mipsr6el', 'mipsr6',
  'noarch', 'pentium3', 'pentium4', 'ppc32dy4', 'ppc64iseries', 'ppc64le', 'ppc64', 'ppc64p7', 'ppc64pseries', 'ppc8260',
  'ppc8560', 'ppciseries', 'ppc', 'ppcpseries', 'riscv64', 's390', 's390x', 'sh3', 'sh4a', 'sh4', 'sh', 'sparc64', 'sparc64v',
  'sparc', 'sparcv8', 'sparcv9', 'sparcv9v', 'x86_64',
]);

/** `name.arch` → [name, arch] when the suffix is an rpm architecture. */
export function splitPackageArch(spec: string): [string, string | null] {
  const dot = spec.lastIndexOf('.');
  if (dot > 0 && RPM_ARCHES.has(spec.slice(dot + 1))) return [spec.slice(0, dot), spec.slice(dot + 1)];
  return [spec, null];
}

/** A specifier naming a full name-[epoch:]version-release (Ansible's _packagename_dict), else null. */
export function parseNevr(spec: string): (Evr & { name: string }) | null {
  const base = splitPackageArch(spec.endsWith('.rpm') ? spec.slice(0, -4) : spec)[0];
  const m = /^(\S+)-(?:(\d*):)?(.*)-(~?\w+[\w.+]*)/.exec(base);
  if (!m) return null;
  let name = m[1]!;
  let epoch = m[2] || '0';
  const version = m[3]!;
  if (!version || !/^\d/.test(version.split('.')[0]!) || !/^\d+$/.test(version.split('.')[0]!)) return null;
  if (name.includes(':')) {
    const parts = name.split(':');
    epoch = parts[0]!;
    name = parts.slice(1).join('');
  }
  return { name, epoch, version, release: m[4]! };
}
