// What is read from a file once per run and shared by every host (known_hosts, ssh
// config, identity files), kept while the file stays the same: its stamp (inode, size,
// times) is compared at each use, a cheap synchronous stat.
import { statSync } from 'node:fs';

/** The file's identity and version: changes when it is replaced, written or touched. Throws as statSync. */
export function fileStamp(path: string): string {
  const st = statSync(path);
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Values made from files, each kept under the stamp it was made at. */
export class StampedCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();

  /** The value kept for `key` if it was made at `stamp`. */
  get(key: string, stamp: string): T | undefined {
    const e = this.entries.get(key);
    return e?.stamp === stamp ? e.value : undefined;
  }

  set(key: string, stamp: string, value: T): T {
    this.entries.set(key, { stamp, value });
    return value;
  }
}
