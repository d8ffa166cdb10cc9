// Where kvmplay itself is installed (the folder holding package.json, templates/,
// playbooks/): the first folder above this code that holds a package.json. This file
// runs compiled in dist/src/util/ and bundled in dist/, at different depths.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function installDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`kvmplay cannot find its package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const INSTALL_DIR = installDir();

/** The shipped Handlebars templates (SPEC 5). */
export const SHIPPED_TEMPLATES_DIR = join(INSTALL_DIR, 'templates');
