// `--version`: kvmplay's version and what else ansible-playbook's says that applies here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_DIR } from '../util/install-dir.js';
import { ansibleConfigFile } from '../playbook/ansible-config.js';

export function versionText(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const pkg = JSON.parse(readFileSync(join(INSTALL_DIR, 'package.json'), 'utf8')) as { version: string };
  return `kvmplay ${pkg.version}\n  config file = ${ansibleConfigFile(env, cwd) ?? 'None'}\n  node version = ${process.version}\n`;
}

/** `--version` anywhere before `--` (ansible and ansible-playbook take it with any other arguments). */
export function asksVersion(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--version');
}
