// `--timings`: where the time went, as Ansible's profile_tasks callback shows it — each
// task's wall-clock time (its first host's start to its last host's result) slowest
// first, then each host's busy time. Printed after the recap.
import type { RunEvent } from './events.js';

const SHOWN = 20;
const WIDTH = 79;

interface TaskSpan { title: string; start: number; end: number }

const taskKey = (e: { play?: string; handler?: boolean; task: string }): string => `${e.play ?? ''}\0${e.handler ? 'h' : 't'}\0${e.task}`;

export class Timings {
  private readonly tasks = new Map<string, TaskSpan>();
  private readonly hosts = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  record(e: RunEvent): void {
    if (e.event === 'task_start') {
      const key = taskKey(e);
      const t = this.now();
      const span = this.tasks.get(key);
      if (span) span.end = Math.max(span.end, t);
      else this.tasks.set(key, { title: `${e.play ? `${e.play} : ` : ''}${e.task}`, start: t, end: t });
      return;
    }
    if (e.event !== 'task') return;
    const span = this.tasks.get(taskKey(e));
    if (span) span.end = Math.max(span.end, this.now());
    this.hosts.set(e.host, (this.hosts.get(e.host) ?? 0) + e.duration_ms);
  }

  format(): string {
    const line = (label: string, ms: number): string => {
      const secs = `${(ms / 1000).toFixed(2)}s`;
      const room = WIDTH - secs.length - 2;
      const text = label.length > room - 4 ? `${label.slice(0, room - 5)}…` : label;
      return `${text} ${'-'.repeat(Math.max(3, room - text.length))} ${secs}`;
    };
    const tasks = [...this.tasks.values()].map((s) => ({ title: s.title, ms: s.end - s.start })).sort((a, b) => b.ms - a.ms);
    const hosts = [...this.hosts].sort((a, b) => b[1] - a[1]);
    const out = ['TASK TIMINGS ' + '='.repeat(WIDTH - 13), ...tasks.slice(0, SHOWN).map((t) => line(t.title, t.ms))];
    if (tasks.length > SHOWN) out.push(`… and ${tasks.length - SHOWN} more tasks`);
    out.push('', 'HOST TIMINGS (time spent in tasks) ' + '='.repeat(WIDTH - 35), ...hosts.slice(0, SHOWN).map(([h, ms]) => line(h, ms)));
    if (hosts.length > SHOWN) out.push(`… and ${hosts.length - SHOWN} more hosts`);
    return out.join('\n') + '\n';
  }
}
