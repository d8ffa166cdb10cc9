// Local files named by tasks (SPEC 4): a relative `src` is looked up beside the
// playbook, then in its `templates/` folder, then in the project's `templates/`.
// Template files are read and compiled here, before any connection, and handed to
// the runner compiled; the variables they read join the undefined-variable check.
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { ExprSyntaxError } from '../jinja/index.js';
import { TemplateError } from '../template/index.js';
import { VaultOpenError } from '../vault/index.js';
import { compileTemplateFile, readTemplateSource, templateFileUses, type TemplateFile } from './template-file.js';
import type { Problems } from './problems.js';
import { displayName, errorText } from './source.js';
import type { VarUse } from './strings.js';
import type { BuiltTask } from './task.js';

export interface LocalDirs {
  /** The folder of the playbook the task is in. */
  dir: string;
  /** The project root: its `templates/` is the last place looked in. */
  projectDir: string;
  /** The folder of the task's role: its templates/ and files/ come first, as in Ansible. */
  roleDir?: string | undefined;
}

/** Where a `src` may be, in lookup order. */
export function localCandidates(src: string, dirs: LocalDirs): string[] {
  if (isAbsolute(src)) return [src];
  const role = dirs.roleDir === undefined ? [] : [join(dirs.roleDir, 'templates', src), join(dirs.roleDir, 'files', src), join(dirs.roleDir, src)];
  const all = [...role, join(dirs.dir, src), join(dirs.dir, 'templates', src), join(dirs.dir, 'files', src), join(dirs.projectDir, 'templates', src)];
  return [...new Set(all.map((p) => resolve(p)))];
}

/** The first existing candidate (file or folder), or undefined. */
export async function resolveLocalSource(src: string, dirs: LocalDirs): Promise<string | undefined> {
  for (const p of localCandidates(src, dirs)) if (await stat(p).catch(() => null)) return p;
  return undefined;
}

/** A compiled template file, or the reason it is not usable. */
type Loaded = { ok: true; template: TemplateFile; uses: VarUse[] } | { ok: false };

export class LocalFiles {
  readonly templates = new Map<string, TemplateFile>();
  private readonly loaded = new Map<string, Promise<Loaded>>();
  // Where each `src` was found, by folder: a playbook names the same file in many
  // tasks, and each lookup is up to three stat calls.
  private readonly found = new Map<string, Promise<string | undefined>>();

  constructor(private readonly problems: Problems, private readonly projectDir: string) {}

  /**
   * Check the files a task names. Returns the variables its template file reads
   * (only for the `template` module, whose template sees exactly the task's variables).
   */
  async check(built: BuiltTask, dir: string, roleDir?: string): Promise<VarUse[]> {
    const uses: VarUse[] = [];
    for (const ref of built.files) {
      const path = await this.resolve(ref.src, dir, roleDir);
      if (path === undefined) {
        const looked = localCandidates(ref.src, { dir, projectDir: this.projectDir, roleDir }).map(displayName).join(', ');
        const what = ref.kind === 'template' ? 'template file' : 'file';
        this.problems.add(ref.pos, `${what} "${ref.src}" not found (looked in: ${looked})`);
        continue;
      }
      if (ref.kind !== 'template') continue;
      const loaded = await this.load(path);
      if (loaded.ok && built.task.module === 'template') uses.push(...loaded.uses);
    }
    return uses;
  }

  private resolve(src: string, dir: string, roleDir: string | undefined): Promise<string | undefined> {
    const key = `${roleDir ?? ''}\0${dir}\0${src}`;
    let p = this.found.get(key);
    if (!p) {
      p = resolveLocalSource(src, { dir, projectDir: this.projectDir, roleDir });
      this.found.set(key, p);
    }
    return p;
  }

  private load(path: string): Promise<Loaded> {
    let p = this.loaded.get(path);
    if (!p) {
      p = this.compile(path);
      this.loaded.set(path, p);
    }
    return p;
  }

  private async compile(path: string): Promise<Loaded> {
    const name = displayName(path);
    let source: string | undefined;
    try {
      let vaulted: boolean;
      ({ text: source, vaulted } = await readTemplateSource(path));
      const template = { ...compileTemplateFile(source, { name, path }), vaulted };
      const uses = templateFileUses(template, name);
      this.templates.set(path, template);
      return { ok: true, template, uses };
    } catch (e) {
      // Ansible opens a vault-encrypted template only when a task renders it: no password
      // that opens it is that task's failure, not the run's.
      if (e instanceof VaultOpenError && e.sealed) return { ok: false };
      if (e instanceof TemplateError) {
        this.problems.add({ file: name, line: e.line ?? 1, col: e.col ?? 1 }, e.detail);
      } else if (e instanceof ExprSyntaxError) {
        const headerLines = source?.startsWith('#jinja2:') ? 1 : 0;
        this.problems.add({ file: name, line: (e.line ?? 1) + headerLines, col: e.column }, e.detail);
      } else if (e instanceof ValidationError) {
        this.problems.add({ file: name, line: 1, col: 1 }, e.detail);
      } else {
        this.problems.add({ file: name, line: 1, col: 1 }, `cannot read the template: ${errorText(e)}`);
      }
      return { ok: false };
    }
  }
}
