// One frame of the live view: the state of the run (live-state.ts) laid out into at most
// `rows - HEADROOM` lines of at most `columns - 1` characters. Pure, so the layout rules
// are tested without a terminal:
// - on top, the play and the task(s) hosts are on (with how many hosts are on each);
// - then one row per host, picking — when not all fit — first the failed and unreachable
//   hosts, then the hosts running a task, longest running first, then the rest;
// - then ONE line counting the hosts not shown.
// Longest running first (not most recently started) because that choice is stable: a
// host keeps its row while it works on a task, where "most recently started" would swap
// rows every time any host moves to its next task; and the slow or stuck hosts are the
// ones worth watching.
import type { Paint, Style } from './color.js';
import type { LiveHost, LiveState } from './live-state.js';

/** Lines kept free below the frame: the cursor's line, and slack for a line the terminal adds (a typed ^C). */
export const HEADROOM = 2;
const MAX_NAME = 24;

export interface FrameOptions {
  /** The terminal's size. */
  rows: number;
  columns: number;
  /** The clock (ms) task starts are measured against. */
  now: number;
  paint: Paint;
}

type Kind = 'failed' | 'unreachable' | 'running' | 'ok' | 'waiting';
const KINDS: readonly Kind[] = ['failed', 'unreachable', 'running', 'ok', 'waiting'];
const KIND_STYLE: Record<Kind, Style | undefined> = { failed: 'failed', unreachable: 'failed', running: undefined, ok: 'ok', waiting: undefined };

/** A piece of a line, painted once the line has been cut to the terminal's width. */
interface Segment {
  text: string;
  style?: Style;
}

function kindOf(h: LiveHost): Kind {
  if (h.stop) return h.stop.status;
  if (h.running) return 'running';
  return h.started ? 'ok' : 'waiting';
}

/** The frame's lines (no line endings, no cursor movement). */
export function liveFrame(state: LiveState, o: FrameOptions): string[] {
  const maxLines = Math.max(1, Math.floor(o.rows) - HEADROOM);
  const width = Math.max(10, Math.floor(o.columns) - 1);
  const hosts = [...state.hosts.values()];
  const header = headerLines(state, hosts).slice(0, Math.max(0, maxLines - 1));
  const room = maxLines - header.length;
  if (hosts.length === 0) return header.map((l) => fit(l, width, o.paint));

  const picked = hosts.length <= room ? hosts : [...hosts].sort(byImportance).slice(0, room - 1);
  const pickedSet = new Set(picked);
  const hidden = hosts.filter((h) => !pickedSet.has(h));
  // Shown: stopped hosts on top, the others in the run's order, so rows move as little as possible.
  const shown = [...picked].sort((a, b) => Number(Boolean(b.stop)) - Number(Boolean(a.stop)) || a.order - b.order);
  const nameWidth = Math.min(MAX_NAME, Math.max(...shown.map((h) => h.name.length)));
  const countsWidth = Math.max(...shown.map((h) => plain(countSegments(h)).length));

  const lines = [...header];
  for (const h of shown) lines.push(hostRow(h, nameWidth, countsWidth, o.now));
  if (hidden.length > 0) lines.push(summaryLine(hidden));
  return lines.map((l) => fit(l, width, o.paint));
}

/** Failed and unreachable, then running (longest first), then idle; the run's order breaks ties. */
function byImportance(a: LiveHost, b: LiveHost): number {
  const rank = (h: LiveHost): number => (h.stop ? 0 : h.running ? 1 : 2);
  return rank(a) - rank(b) || (a.running && b.running ? a.running.since - b.running.since : 0) || a.order - b.order;
}

function headerLines(state: LiveState, hosts: LiveHost[]): Segment[][] {
  // Before the first play starts, only the hosts' tally.
  const play: Segment[] = state.play === undefined ? [] : [{ text: `PLAY [${state.play}]  ` }];
  play.push({ text: `${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}${hosts.length ? ': ' : ''}` }, ...tally(hosts));
  const lines = [play];
  // The tasks hosts are on, most hosts first: with hosts going at their own pace there may be several.
  const onTask = new Map<string, number>();
  for (const h of hosts) {
    if (!h.running) continue;
    const title = `${h.running.handler ? 'HANDLER' : 'TASK'} [${h.running.task}]`;
    onTask.set(title, (onTask.get(title) ?? 0) + 1);
  }
  if (onTask.size > 0) {
    const tasks = [...onTask.entries()].sort((a, b) => b[1] - a[1]);
    lines.push([{ text: tasks.map(([title, n]) => `${title} ${n} ${n === 1 ? 'host' : 'hosts'}`).join(', ') }]);
  }
  return lines;
}

/** `28 ok, 2 waiting`, in the order failures first, status words painted. */
function tally(hosts: LiveHost[]): Segment[] {
  const counts = new Map<Kind, number>();
  for (const h of hosts) counts.set(kindOf(h), (counts.get(kindOf(h)) ?? 0) + 1);
  const out: Segment[] = [];
  for (const kind of KINDS) {
    const n = counts.get(kind);
    if (!n) continue;
    if (out.length > 0) out.push({ text: ', ' });
    out.push({ text: `${n} ${kind}`, style: KIND_STYLE[kind] });
  }
  return out;
}

function summaryLine(hidden: LiveHost[]): Segment[] {
  return [{ text: `… ${hidden.length} more: ` }, ...tally(hidden)];
}

function countSegments(h: LiveHost): Segment[] {
  const c = h.counts;
  const segs: Segment[] = [
    { text: `ok=${c.ok}`, style: c.ok ? 'ok' : undefined },
    { text: ' ' },
    { text: `changed=${c.changed}`, style: c.changed ? 'changed' : undefined },
  ];
  if (c.failed) segs.push({ text: ' ' }, { text: `failed=${c.failed}`, style: 'failed' });
  if (c.skipped) segs.push({ text: ' ' }, { text: `skipped=${c.skipped}`, style: 'skipped' });
  return segs;
}

function hostRow(h: LiveHost, nameWidth: number, countsWidth: number, now: number): Segment[] {
  const counts = countSegments(h);
  const segs: Segment[] = [
    { text: h.name.padEnd(nameWidth) + '  ' },
    ...counts,
    { text: ' '.repeat(countsWidth - plain(counts).length) + '  ' },
  ];
  if (h.stop) {
    segs.push({ text: `${h.stop.status === 'failed' ? 'FAILED' : 'UNREACHABLE'} at [${h.stop.task}]`, style: 'failed' });
    if (h.stop.msg) segs.push({ text: `: ${h.stop.msg}` });
    // An `always` section may still run on a failed host: say so after the failure.
    if (h.running) segs.push({ text: `, now [${h.running.task}]` });
  } else if (h.running) {
    segs.push({ text: `${h.running.handler ? 'HANDLER' : 'TASK'} [${h.running.task}]${elapsed(now - h.running.since)}` });
  } else {
    segs.push({ text: kindOf(h), style: KIND_STYLE[kindOf(h)] });
  }
  return segs;
}

/** ` 12s`, ` 2m05s`; nothing under a second, so quick tasks do not flicker a counter. */
function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return '';
  return s < 60 ? ` ${s}s` : ` ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function plain(segs: Segment[]): string {
  return segs.map((s) => s.text).join('');
}

/**
 * The line cut to `width` characters (an ellipsis where cut), then painted: cutting
 * before painting never splits a colour code, and a line never wraps, which would make
 * the frame taller on screen than it is counted. Control characters are dropped for the same reason.
 */
function fit(segs: Segment[], width: number, paint: Paint): string {
  const pieces = segs.map((seg) => ({ chars: [...seg.text.replace(/[\u0000-\u001f\u007f]/g, ' ')], style: seg.style }));
  const total = pieces.reduce((n, p) => n + p.chars.length, 0);
  let left = total <= width ? width : width - 1;
  let out = '';
  for (const p of pieces) {
    const text = p.chars.slice(0, Math.max(0, left)).join('');
    left -= p.chars.length;
    out += p.style && text.trim() ? paint(p.style, text) : text;
  }
  return total <= width ? out : out + '…';
}
