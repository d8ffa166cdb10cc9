// Owner, group and mode of one path: wanted vs current → what to change. Pure; shared
// by the content writers (copy, template, lineinfile) and `file`.
import { formatMode, resolveMode, type ModeSpec } from './mode.js';

export interface AttrWant {
  mode?: ModeSpec;
  owner?: string;
  group?: string;
}

/** The current attributes, or null for a path that does not exist yet. */
export interface AttrCurrent {
  mode: number | null;
  uid: number | null;
  gid: number | null;
  owner: string | null;
  group: string | null;
}

export interface AttrPlan {
  /** chmod to these bits; null: leave the mode. */
  mode: number | null;
  /** chown argument (`owner:group`, `owner` or `:group`); null: leave ownership. */
  chown: string | null;
  /** Words for `msg`: `mode 0644 → 0600`, `owner root → kvp`. */
  changes: string[];
}

/** A wanted user/group (name or numeric id) matches the current one by either. */
export function idMatches(want: string, name: string | null, id: number | null): boolean {
  return want === name || (id !== null && want === String(id));
}

/**
 * `defaultMode` is the mode a new path gets (0644 file, 0755 directory): symbolic modes
 * apply to it, and a wanted mode equal to it still counts as a change for a new path
 * (the chmod is what guarantees it, whatever the host's umask).
 */
export function planAttrs(want: AttrWant, cur: AttrCurrent | null, isDirectory: boolean, defaultMode: number): AttrPlan {
  const changes: string[] = [];
  let mode: number | null = null;
  if (want.mode) {
    const base = cur?.mode ?? defaultMode;
    const wanted = resolveMode(want.mode, base, isDirectory);
    if (cur === null || cur.mode !== wanted) {
      mode = wanted;
      if (cur) changes.push(`mode ${cur.mode === null ? '?' : formatMode(cur.mode)} → ${formatMode(wanted)}`);
    }
  }
  const ownerDiffers = want.owner !== undefined && (cur === null || !idMatches(want.owner, cur.owner, cur.uid));
  const groupDiffers = want.group !== undefined && (cur === null || !idMatches(want.group, cur.group, cur.gid));
  if (cur && ownerDiffers) changes.push(`owner ${cur.owner ?? cur.uid} → ${want.owner}`);
  if (cur && groupDiffers) changes.push(`group ${cur.group ?? cur.gid} → ${want.group}`);
  let chown: string | null = null;
  if (ownerDiffers || groupDiffers) {
    chown = ownerDiffers && want.owner !== undefined ? want.owner : '';
    if (groupDiffers) chown += `:${want.group}`;
  }
  return { mode, chown, changes };
}

/** Attribute lines for --diff (`mode: 0644`), so attribute changes show as a diff too. */
export function attrText(a: { state?: string; mode?: number | string | null; owner?: string | null; group?: string | null; src?: string | null }): string {
  const lines: string[] = [];
  if (a.state) lines.push(`state: ${a.state}`);
  if (a.src) lines.push(`src: ${a.src}`);
  if (a.mode !== undefined && a.mode !== null) lines.push(`mode: ${typeof a.mode === 'number' ? formatMode(a.mode) : a.mode}`);
  if (a.owner) lines.push(`owner: ${a.owner}`);
  if (a.group) lines.push(`group: ${a.group}`);
  return lines.map((l) => `${l}\n`).join('');
}
