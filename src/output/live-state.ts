// What the live view knows about a playbook run: per host, its counts so far, the task it
// is on (and since when) and what stopped it. Built from the run's events only, so the
// frame drawn from it can be checked without a terminal.
import type { RunEvent } from './events.js';

export interface LiveCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
}

export interface LiveHost {
  name: string;
  /** Position in the run's host list: the order of rows when nothing else decides. */
  order: number;
  counts: LiveCounts;
  /** The task the host is on: set by `task_start`, cleared by its result. */
  running?: { task: string; handler: boolean; since: number };
  /** A host's first result: before it, an idle host is `waiting`, after it `ok`. */
  started: boolean;
  /** What took the host out of the run: a failure or unreachability, with the task. */
  stop?: { status: 'failed' | 'unreachable'; task: string; msg: string };
}

export interface LiveState {
  play?: string;
  hosts: Map<string, LiveHost>;
}

export function newLiveState(): LiveState {
  return { hosts: new Map() };
}

function hostOf(state: LiveState, name: string): LiveHost {
  let h = state.hosts.get(name);
  if (!h) {
    h = { name, order: state.hosts.size, counts: { ok: 0, changed: 0, failed: 0, skipped: 0 }, started: false };
    state.hosts.set(name, h);
  }
  return h;
}

/** Fold one event into the state; `now` (ms) dates task starts. Returns whether anything shown changed. */
export function applyLiveEvent(state: LiveState, e: RunEvent, now: number): boolean {
  switch (e.event) {
    case 'run_start':
      for (const name of e.hosts) hostOf(state, name);
      return true;
    case 'play_start':
      state.play = e.play;
      for (const name of e.hosts) hostOf(state, name);
      return true;
    case 'task_start':
      hostOf(state, e.host).running = { task: e.task, handler: e.handler === true, since: now };
      return true;
    case 'task': {
      const h = hostOf(state, e.host);
      h.running = undefined;
      h.started = true;
      const c = h.counts;
      if (e.status === 'failed' && e.ignored) c.ok++;
      else if (e.status === 'changed') { c.ok++; c.changed++; }
      else if (e.status === 'ok') c.ok++;
      else if (e.status === 'skipped') c.skipped++;
      else if (e.status === 'failed' && !e.rescued) c.failed++;
      // An ignored or rescued failure lets the host go on; the others end its run.
      if ((e.status === 'failed' && !e.ignored && !e.rescued) || e.status === 'unreachable') {
        h.stop = { status: e.status, task: e.task, msg: e.msg.split('\n')[0] ?? '' };
      }
      return true;
    }
    default:
      return false;
  }
}
