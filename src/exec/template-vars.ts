// The variables Ansible gives a template file besides the task's (its template action
// and template lookup: generate_ansible_template_vars): ansible_managed and template_*.
// Their names are in playbook/template-file.ts, for validation.
import { statSync } from 'node:fs';
import { controllerHostName, controllerUserName } from '../util/controller-identity.js';

/** Ansible's template variables for `file` (shown as `name`), written to `dest` (null for a lookup). */
export function templateFileVars(name: string, file: string, dest: string | null): Record<string, unknown> {
  const stat = statSync(file);
  const owner = stat.uid === process.getuid?.() ? controllerUserName() : String(stat.uid);
  return {
    template_host: controllerHostName(),
    template_path: name,
    template_fullpath: file,
    template_uid: owner,
    template_mtime: pyDatetime(stat.mtime),
    template_run_date: pyDatetime(new Date()),
    template_destpath: dest,
    ansible_managed: 'Ansible managed',
  };
}

/** str(datetime) in local time: '2024-05-01 13:02:03.123000'. */
function pyDatetime(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const micro = d.getMilliseconds() === 0 ? '' : `.${String(d.getMilliseconds() * 1000).padStart(6, '0')}`;
  return `${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${micro}`;
}

/**
 * `vars` with `extra` on top, without reading `vars`: its values render lazily when read
 * (scope.ts), so each key is passed through by a getter. The lookups ride along.
 */
export function withVariables(vars: Record<string | symbol, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string | symbol, unknown> = {};
  for (const key of Object.keys(vars)) {
    Object.defineProperty(out, key, { enumerable: true, configurable: true, get: () => vars[key] });
  }
  for (const [key, value] of Object.entries(extra)) {
    Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  }
  for (const key of Object.getOwnPropertySymbols(vars)) {
    Object.defineProperty(out, key, { value: vars[key], enumerable: false, configurable: true });
  }
  return out as Record<string, unknown>;
}
