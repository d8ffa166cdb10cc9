// Mounts seen by the control machine, from /proc/self/mountinfo. The lab mounts
// hosts' filesystems inside their own mount namespaces, so none should be here;
// this is the safety check before deleting a directory tree.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { run } from './run.js';

/** Mount points (field 5), with mountinfo's octal escapes (\040 for space) decoded. */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export async function mountsUnder(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const points = parseMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
  return points.filter((p) => p === root || p.startsWith(root + path.sep));
}

/**
 * Unmount whatever is mounted under `dir` (deepest first), e.g. left by an
 * interrupted tool, so that deleting the tree cannot reach into /proc or a
 * bind-mounted directory.
 */
export async function unmountUnder(dir: string): Promise<void> {
  const points = (await mountsUnder(dir)).sort((a, b) => b.length - a.length);
  for (const p of points) {
    await run('umount', ['--lazy', p], { allowFail: true });
  }
  const left = await mountsUnder(dir);
  if (left.length) throw new LabError(`cannot unmount ${left.join(', ')}: not deleting ${dir}`);
}

/** Delete a directory tree, after unmounting whatever is mounted under it (unmountUnder). */
export async function removeTree(dir: string): Promise<void> {
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
}
