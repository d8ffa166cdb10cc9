// What every module is (STYLE 2): a zod argument schema checked at validate time,
// and `run`: gather current state → plan (pure) → apply unless check mode.
import type { z } from 'zod';
import type { Host } from '../transport/host.js';

export interface ModuleContext {
  /** Inventory name of the host. */
  hostName: string;
  /** --check: report what would change, change nothing. */
  check: boolean;
  /** --diff: return a unified diff of what changes. */
  diff: boolean;
  /** The task's effective become (sudo); file writes and commands honour it. */
  become: boolean;
  /** The task's timeout (ms), for commands that could hang. */
  timeoutMs?: number;
  /** Aborted on Ctrl-C: end remote commands, leave no half-written file. */
  signal: AbortSignal;
  /** The host's variables at this task (facts, registered results, loop item…). */
  vars: Record<string, unknown>;
  /**
   * Read a local file named by a task's relative or absolute `src`, looked up beside
   * the playbook, then in its `templates/`, then in the project's `templates/` (SPEC 4).
   */
  readLocalFile(src: string): Promise<{ path: string; content: Buffer }>;
  /** Render a local template file (by `src`) with the host's variables. */
  renderTemplateFile(src: string): Promise<{ path: string; content: string }>;
}

/** Ansible-shaped result of one module run; registered as is under `register:`. */
export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  /** Nothing was done nor checked (Ansible's `skipped`: e.g. `command` in check mode). */
  skipped?: boolean;
  msg: string;
  /** Unified diff(s) for --diff. */
  diff?: string;
  rc?: number | null;
  stdout?: string;
  stderr?: string;
  /** Further registered fields (e.g. `dest`, `checksum`, `backup_file`, parsed data). */
  data?: Record<string, unknown>;
}

export interface Module<A = unknown> {
  /** The task key: `copy`, `shell`, `libvirt_domain`, … */
  name: string;
  /** Parsed at validate time; unknown keys are errors (`.strict()`). */
  args: z.ZodType<A>;
  /**
   * Ansible's free-form string (`shell: "echo ok > f"`): the argument a string value
   * goes to, merged with the task's `args:`. Absent: the module takes a map only.
   */
  freeForm?: string;
  run(host: Host, args: A, ctx: ModuleContext): Promise<ModuleResult>;
}
