// Per-host counters (Ansible's PLAY RECAP) and the final `--json` object.
import { painter, type Paint, type Style } from './color.js';
import type { RunEvent } from './events.js';

export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: boolean;
}

export interface RecapJson {
  ok: boolean;
  hosts: Record<string, HostCounts>;
  duration_ms: number;
}

export class Recap {
  private readonly hosts = new Map<string, HostCounts>();
  // Ignored failures are not part of the `--json` host counts (SPEC 2's shape); the
  // text recap shows them as Ansible does.
  private readonly ignored = new Map<string, number>();
  private readonly rescued = new Map<string, number>();
  private readonly started = Date.now();

  /** Make a host appear in the recap even if no task ever ran on it. */
  addHost(name: string): HostCounts {
    let c = this.hosts.get(name);
    if (!c) {
      c = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false };
      this.hosts.set(name, c);
    }
    return c;
  }

  record(e: RunEvent): void {
    if (e.event !== 'task') return;
    const c = this.addHost(e.host);
    if (e.status === 'failed' && e.rescued) {
      // As Ansible: a failure a block's rescue takes over counts as rescued, not failed.
      this.rescued.set(e.host, (this.rescued.get(e.host) ?? 0) + 1);
      return;
    }
    if (e.status === 'failed' && e.ignored) {
      // As Ansible: a failure ignore_errors let pass counts as ok (and ignored).
      c.ok++;
      this.ignored.set(e.host, (this.ignored.get(e.host) ?? 0) + 1);
      return;
    }
    switch (e.status) {
      // An include_tasks counts once per file it included (each loop item's), as Ansible counts it.
      // An include_role (included: []) does not count, as in Ansible.
      case 'ok': c.ok += e.included === undefined ? 1 : e.included.length; break;
      // As in Ansible, a changed task counts in both ok and changed.
      case 'changed': c.ok++; c.changed++; break;
      case 'failed': c.failed++; break;
      case 'skipped': c.skipped++; break;
      case 'unreachable': c.unreachable = true; break;
    }
  }

  anyFailed(): boolean {
    return [...this.hosts.values()].some((c) => c.failed > 0);
  }

  anyUnreachable(): boolean {
    return [...this.hosts.values()].some((c) => c.unreachable);
  }

  toJson(): RecapJson {
    const hosts: Record<string, HostCounts> = {};
    for (const name of [...this.hosts.keys()].sort()) hosts[name] = { ...this.hosts.get(name)! };
    return { ok: !this.anyFailed() && !this.anyUnreachable(), hosts, duration_ms: Date.now() - this.started };
  }

  /** Ansible-style PLAY RECAP block; `paint` colours hosts and non-zero counts as Ansible does. */
  format(paint: Paint = painter(false)): string {
    const lines = ['PLAY RECAP ' + '*'.repeat(69)];
    const json = this.toJson();
    const width = Math.max(26, ...Object.keys(json.hosts).map((h) => h.length + 1));
    for (const [name, c] of Object.entries(json.hosts)) {
      // Padded before painting, so the colour codes do not move the columns.
      const cell = (k: string, v: number, style: Style) => {
        const text = `${k}=${v}`;
        return (v > 0 ? paint(style, text) : text) + ' '.repeat(Math.max(0, k.length + 6 - text.length));
      };
      const unreachable = c.unreachable ? 1 : 0;
      const host = unreachable || c.failed ? paint('failed', name) : c.changed ? paint('changed', name) : paint('ok', name);
      lines.push(
        `${host}${' '.repeat(width - name.length)} : ${cell('ok', c.ok, 'ok')}${cell('changed', c.changed, 'changed')}` +
          `${cell('unreachable', unreachable, 'failed')}${cell('failed', c.failed, 'failed')}${cell('skipped', c.skipped, 'skipped')}` +
          `${cell('rescued', this.rescued.get(name) ?? 0, 'rescued')}${cell('ignored', this.ignored.get(name) ?? 0, 'rescued').trimEnd()}`,
      );
    }
    return lines.join('\n');
  }
}
