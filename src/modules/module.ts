// What a module sees of a task's run (ModuleContext) and what it gives back
// (ModuleResult). Modules are declared with defineModule (runner.ts).

export interface ModuleContext {
  /** Inventory name of the host. */
  hostName: string;
  /** --diff: return a unified diff of what changes. */
  diff: boolean;
  /** The task's effective become (sudo); file writes and commands honour it. */
  become: boolean;
  /** The task's timeout (ms), for commands that could hang. */
  timeoutMs?: number;
  /** Aborted on Ctrl-C: end remote commands, leave no half-written file. */
  signal: AbortSignal;
  /**
   * How many `-v` the run was given (Ansible's display verbosity); missing means 0.
   * `debug`'s `verbosity` argument compares against it.
   */
  verbosity?: number;
  /** The host's variables at this task (facts, registered results, loop item…). */
  vars: Record<string, unknown>;
  /**
   * Read a local file named by a task's relative or absolute `src`, looked up beside
   * the playbook, then in its `templates/`, then in the project's `templates/` (SPEC 4).
   * A vault-encrypted file comes decrypted unless `decrypt: false` (throws when no
   * vault password opens it).
   */
  readLocalFile(src: string, opts?: { decrypt?: boolean }): Promise<LocalFile>;
  /**
   * Render a local template file (by `src`) with the host's variables. Its output
   * format (the escaping) comes from its name, or, when the name says nothing (plain
   * text), from `dest`: `site.conf.hbs` written to `…/ifcfg-br0` is escaped as ifcfg.
   */
  renderTemplateFile(src: string, opts?: { dest?: string; jinja?: TemplateOverrides }): Promise<{ path: string; content: string; vaulted?: boolean }>;
  /**
   * Where a task's `src` is on the control machine (a file or a folder), looked up as
   * readLocalFile looks it up: for modules that copy folders (copy's src directory).
   */
  localPath?(src: string): Promise<string>;
  /** Where the task's own relative files are looked up (include_vars); missing: the working directory. */
  taskSearchPath?: TaskSearchPath;
}

/** A local file a task names; `vaulted`: it was vault-encrypted, its content is a secret (never in a diff). */
export interface LocalFile {
  path: string;
  content: Buffer;
  vaulted?: boolean;
}

/** The template module's Jinja settings a task may change (trim_blocks, lstrip_blocks); a `#jinja2:` line still wins. */
export interface TemplateOverrides {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
}

/**
 * Ansible's search path of a task (Task.get_search_path, then the DataLoader's basedir):
 * the folders a relative vars file is looked up from, in order.
 */
export interface TaskSearchPath {
  /** The task's role's folder, if it comes from a role. */
  roleDir?: string | undefined;
  /** The folder of the file the task is written in (a role's tasks/, an included file's folder). */
  taskDir: string;
  /** The play's folder (the playbook's): the last resort. */
  playDir: string;
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
