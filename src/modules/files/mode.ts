// File modes as Ansible takes them: an octal string ('0644', '644', '1777'), a number
// (YAML 1.1 reads `0644` as 420: the number is the mode bits, as in Ansible), or a
// symbolic chmod expression ('u=rw,g=r,o=', 'u+rwX,go-w'). Pure.

export type ModeSpec =
  | { kind: 'bits'; bits: number }
  | { kind: 'symbolic'; expr: string };

const OCTAL = /^0?[0-7]{3,4}$/;
const CLAUSE = /^([ugoa]*)((?:[-+=][rwxXst]*|[-+=][ugo])+)$/;

/** Parse a mode argument; throws a message fit for a validation error. */
export function parseMode(value: string | number): ModeSpec {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0o7777) throw new Error(`mode ${value} is not a file mode (0 to 0o7777)`);
    return { kind: 'bits', bits: value };
  }
  const text = value.trim();
  if (OCTAL.test(text)) return { kind: 'bits', bits: parseInt(text, 8) };
  if (text !== '' && text.split(',').every((c) => CLAUSE.test(c))) return { kind: 'symbolic', expr: text };
  throw new Error(`mode "${value}" is neither octal (e.g. '0644') nor symbolic (e.g. 'u=rw,g=r,o=')`);
}

/** Is this a mode argument parseMode accepts? For zod refinements. */
export function isModeArg(value: string | number): boolean {
  try {
    parseMode(value);
    return true;
  } catch {
    return false;
  }
}

/** The mode a file ends up with: `current` is its mode now, or the default for a new one. */
export function resolveMode(spec: ModeSpec, current: number, isDirectory: boolean): number {
  if (spec.kind === 'bits') return spec.bits;
  let mode = current & 0o7777;
  for (const clause of spec.expr.split(',')) {
    const m = CLAUSE.exec(clause);
    if (!m) throw new Error(`bad symbolic mode clause "${clause}"`);
    // Like Ansible (and unlike chmod), a clause without who means `a`, umask ignored.
    const who = expandWho(m[1] ?? '');
    for (const op of (m[2] ?? '').match(/[-+=][^-+=]*/g) ?? []) {
      const perms = op.slice(1);
      const before = mode;
      for (const w of who) {
        const bits = permBits(w, perms, before, isDirectory);
        if (op[0] === '+') mode |= bits;
        else if (op[0] === '-') mode &= ~bits;
        else mode = (mode & ~CLEAR[w]) | bits;
      }
    }
  }
  return mode;
}

/** `0644`, `01777`: what Ansible returns in `mode`. */
export function formatMode(bits: number): string {
  return `0${(bits & 0o7777).toString(8).padStart(3, '0')}`;
}

type Who = 'u' | 'g' | 'o';

// '=' replaces a class's rwx and its special bit (setuid for u, setgid for g, sticky for o).
const CLEAR: Record<Who, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };
const SHIFT: Record<Who, number> = { u: 6, g: 3, o: 0 };

function expandWho(who: string): Who[] {
  if (who === '' || who.includes('a')) return ['u', 'g', 'o'];
  return (['u', 'g', 'o'] as const).filter((w) => who.includes(w));
}

function permBits(who: Who, perms: string, current: number, isDirectory: boolean): number {
  if (perms === 'u' || perms === 'g' || perms === 'o') {
    // Copy another class's rwx (`g=u`).
    return ((current >> SHIFT[perms]) & 0o7) << SHIFT[who];
  }
  let rwx = 0;
  let special = 0;
  for (const p of perms) {
    if (p === 'r') rwx |= 4;
    else if (p === 'w') rwx |= 2;
    else if (p === 'x') rwx |= 1;
    // X: execute only for directories or files some class can already execute.
    else if (p === 'X' && (isDirectory || (current & 0o111) !== 0)) rwx |= 1;
    else if (p === 's' && who === 'u') special |= 0o4000;
    else if (p === 's' && who === 'g') special |= 0o2000;
    else if (p === 't' && who === 'o') special |= 0o1000;
  }
  return (rwx << SHIFT[who]) | special;
}
