// What a module sees of a task's run (ModuleContext) and what it gives back
// (ModuleResult). Modules are declared with defineModule (runner.ts).
import type { z } from 'zod';
import type { Host } from '../transport/host.js';

export interface ModuleContext {
  /** Inventory name of the host. */
  hostName: string;
  /**
   * Transitional: read only by modules not yet declared with defineModule. The runner
   * never passes it; it alone decides what check mode means.
   */
  check?: boolean;
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

/** The runner's own context: the module context plus check mode, which it alone reads. */
export interface RunModuleContext extends ModuleContext {
  /** --check: report what would change, change nothing. */
  check: boolean;
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

/** Transitional: a module not yet declared with defineModule (registry.ts adapts it). */
export interface LegacyModule<A = unknown> {
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
