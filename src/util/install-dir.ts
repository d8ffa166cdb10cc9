// Where kvmplay itself is installed (the folder holding package.json, templates/,
// playbooks/): this file is compiled to dist/src/util/, three levels below it.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The shipped Handlebars templates (SPEC 5). */
export const SHIPPED_TEMPLATES_DIR = join(INSTALL_DIR, 'templates');
