// Everything one `kvmplay run` shares, passed down instead of module state (STYLE 4):
// options, the loaded playbooks and inventory, the event bus, secrets, the hosts'
// connections and per-run caches.
import type { StepConfirmer } from './step.js';
import type { ConnectionSpec, Inventory } from '../inventory/index.js';
import type { SourceVars } from '../data/vars-files.js';
import type { AnyModule } from '../modules/registry.js';
import type { EventBus } from '../output/events.js';
import type { Redactor } from '../output/redact.js';
import type { LoadedRun, Play, Playbook, Task, TemplateFile } from '../playbook/index.js';
import type { Registered } from './result.js';
import type { JinjaCache } from '../jinja/strings.js';
import type { Host } from '../transport/host.js';
import type { HostPool } from './host-pool.js';
export type { HostState } from './host-pool.js';
import type { TagFilter } from './tags.js';
import type { Gate } from './throttle.js';

export interface RunOptions {
  /** --limit: only hosts this pattern matches. */
  limit: string | undefined;
  tags: TagFilter;
  check: boolean;
  diff: boolean;
  /** Hosts in parallel (per batch). */
  forks: number;
  /** --step-timeout in ms: a task without its own `timeout` ends after this long. */
  stepTimeoutMs: number | undefined;
  /** How many -v were given (0 without). */
  verbosity?: number;
}

export interface RunContext {
  loaded: LoadedRun;
  inventory: Inventory;
  options: RunOptions;
  bus: EventBus;
  /** no_log values join the passwords here; the CLI redacts every event with it. */
  redactor: Redactor;
  /** Ctrl-C: remote commands are ended, hosts closed. */
  signal: AbortSignal;
  /** A host's connection, opened lazily on first use (SshHost; fakes in unit tests). */
  openHost(spec: ConnectionSpec): Host;
  findModule(name: string): AnyModule | undefined;
  /** --step: asks before each task whether to run it (absent: run everything). */
  step?: StepConfirmer;
  /** The wait between `until` attempts; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  hosts: HostPool;
  /** The control machine as a host (delegate_to: localhost), made on first use. */
  controlHost(): Host;
  /** Compiled argument templates, shared by all hosts and tasks. */
  templateCache: JinjaCache;
  /** Template files by absolute path: the loader's, plus those only a host's variables named. */
  localTemplates: Map<string, TemplateFile>;
  /**
   * Where a task's local `src` was found, by search folders and name: every host of a
   * task names the same file, and each lookup is up to six stat calls. Only files found
   * are kept (one made later during the run is still found).
   */
  localSources: Map<string, string>;
  /** group_vars/ and host_vars/ beside each playbook, by playbook folder. */
  adjacentVars: Map<string, SourceVars>;
  /** Group name → its hosts (the `groups` variable), computed once. */
  groups: Record<string, string[]>;
}

/** What a play run shares between its hosts. */
export interface PlayRun {
  playbook: Playbook;
  play: Play;
  /** The play's hosts (after --limit), for `ansible_play_hosts`. */
  hosts: string[];
  /** The current serial batch, for `ansible_play_batch`. */
  batch: string[];
  /** any_errors_fatal tripped: every host stops at its next task boundary. */
  fatal: { host: string; task: string } | undefined;
  /** run_once tasks of the current batch: the first host's outcome, which the others take. */
  once: Map<Task, Promise<Registered | undefined>>;
  /** `throttle`d tasks' gates, shared by the play's hosts. */
  throttles?: Map<Task, Gate>;
  /** `meta: end_play` ran: every host stops at its next task boundary, the later batches do not run. */
  ended: boolean;
  /** meta: end_batch: the current batch stops here for every host; the next batch goes on. */
  batchEnded?: boolean;
}
