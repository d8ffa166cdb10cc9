// One `lab up`/`lab down` at a time per directory: a lock file holding the
// owner's pid. A lock whose owner is gone (crash, kill -9) is taken over.
import { open, readFile, unlink } from 'node:fs/promises';
import { LabError } from '../errors.js';
import { isProcessAlive } from './proc.js';

export interface Lock {
  release(): Promise<void>;
}

const POLL_MS = 250;

export async function acquireLock(file: string, opts: { waitMs: number; onWait?: (pid: number) => void }): Promise<Lock> {
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  let emptySeen = 0;
  for (;;) {
    try {
      const fh = await open(file, 'wx', 0o644);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LabError(`cannot create lock ${file}: ${(e as Error).message}`, { cause: e });
      }
    }
    const text = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (text === '' && emptySeen++ < 8) {
      // Created but not yet written by its owner: give it a moment.
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const owner = Number(text);
    if (!Number.isInteger(owner) || owner <= 0 || !isProcessAlive(owner)) {
      await unlink(file).catch(() => undefined); // stale: its owner is gone
      continue;
    }
    if (owner === process.pid) throw new LabError(`lock ${file} is already held by this process`);
    if (Date.now() > deadline) throw new LabError(`${file} is held by pid ${owner} (another kvmplay lab command)`);
    if (!told) opts.onWait?.(owner);
    told = true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
