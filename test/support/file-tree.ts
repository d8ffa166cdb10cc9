// For unit tests: writes a folder of small files under the system temp folder.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempTree {
  dir: string;
  path(rel: string): string;
  remove(): Promise<void>;
}

/** `files` maps relative paths to contents; a trailing `/` makes an empty folder. */
export async function writeTree(files: Record<string, string>): Promise<TempTree> {
  const dir = await mkdtemp(join(tmpdir(), 'kvmplay-inv-'));
  for (const [rel, text] of Object.entries(files)) {
    const full = join(dir, rel);
    if (rel.endsWith('/')) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return { dir, path: (rel) => join(dir, rel), remove: () => rm(dir, { recursive: true, force: true }) };
}
