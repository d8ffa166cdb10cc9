// npm does not link a package's own `bin` into its node_modules/.bin; do it so
// `node_modules/.bin/kvmplay` works in a fresh clone right after `npm ci`.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'kvmplay');
rmSync(link, { force: true });
symlinkSync('../../bin/kvmplay.js', link);
