// Local files a module reads (`copy` src, `template` src): looked up beside the
// playbook, then in its `templates/`, then in the project's `templates/` (SPEC 4);
// a vault-encrypted one is read decrypted, as Ansible reads it.
// Templates the loader compiled are reused; a src only known at run time (a
// template in the path) is compiled on first use and kept for the other hosts.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ModuleContext } from '../modules/module.js';
import { compileTemplateFile, isHandlebarsFile, localCandidates, readTemplateSource, renderTemplateFile, resolveLocalSource } from '../playbook/index.js';
import { decryptVaultFile, isVaultFile } from '../vault/index.js';
import { formatFor, type TemplateFormat } from '../template/index.js';
import type { RunContext } from './run-context.js';
import type { Scope } from './scope.js';
import { templateFileVars, withVariables } from './template-vars.js';

type LocalAccess = Pick<ModuleContext, 'readLocalFile' | 'renderTemplateFile' | 'taskSearchPath' | 'localPath'>;

/** As the loader names files in messages: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** `taskFile`: the file the task is written in (its position's), for the task's search path. */
export function localAccess(ctx: RunContext, playDir: string, scope: Scope, roleDir?: string, taskFile?: string): LocalAccess {
  const dirs = { dir: playDir, projectDir: ctx.loaded.projectDir, roleDir };
  const find = async (src: string): Promise<string> => {
    if (src === '') throw new Error('no src given');
    const key = `${dirs.roleDir ?? ''}\0${dirs.dir}\0${src}`;
    const known = ctx.localSources.get(key);
    if (known !== undefined) return known;
    const path = await resolveLocalSource(src, dirs);
    if (path === undefined) {
      throw new Error(`"${src}" not found (looked in: ${localCandidates(src, dirs).map(displayPath).join(', ')})`);
    }
    ctx.localSources.set(key, path);
    return path;
  };
  return {
    taskSearchPath: { roleDir, taskDir: taskFile === undefined ? playDir : dirname(resolve(taskFile)), playDir },
    async readLocalFile(src, opts = {}) {
      const path = await find(src);
      const content = await readFile(path);
      // Ansible's get_real_file: a vault-encrypted source is sent decrypted, unless `decrypt: false`.
      if (opts.decrypt === false || !isVaultFile(content)) return { path, content };
      return { path, content: decryptVaultFile(content), vaulted: true };
    },
    localPath: find,
    async renderTemplateFile(src, opts = {}) {
      const path = await find(src);
      // A Handlebars file escapes for its output format: by its own name, else by where it
      // is written; the loader compiled it under its own name's format, another format is another entry.
      const format = isHandlebarsFile(path) ? templateFormat(path, opts.dest) : undefined;
      // The task's trim_blocks/lstrip_blocks make another compiled template too.
      const jinja = opts.jinja && Object.keys(opts.jinja).length > 0 && !isHandlebarsFile(path) ? opts.jinja : undefined;
      const base = format === undefined || format === formatFor(path) ? path : `${path}\0${format}`;
      const key = jinja ? `${base}\0${JSON.stringify(jinja)}` : base;
      let compiled = ctx.localTemplates.get(key);
      if (!compiled) {
        const source = await readTemplateSource(path);
        compiled = {
          ...compileTemplateFile(source.text, { name: displayPath(path), path, ...(format ? { format } : {}), ...(jinja ? { jinja } : {}) }),
          vaulted: source.vaulted,
        };
        ctx.localTemplates.set(key, compiled);
      }
      // A Jinja file also sees Ansible's template variables (ansible_managed, template_path…).
      const vars = compiled.engine === 'jinja' ? withVariables(scope, templateFileVars(src, path, opts.dest ?? null)) : scope;
      return { path, content: renderTemplateFile(compiled, vars), ...(compiled.vaulted ? { vaulted: true } : {}) };
    },
  };
}

/** A template's output format: by its own name, else (plain text) by where it is written. */
export function templateFormat(path: string, dest: string | undefined): TemplateFormat {
  const own = formatFor(path);
  return own === 'text' && dest !== undefined ? formatFor(dest) : own;
}
