// RemoteFile values for plan tables: what the probe would have reported.
import type { RemoteFile } from '../../src/modules/files/remote-file.js';

const BASE: RemoteFile = {
  path: '/srv/x',
  kind: 'absent',
  parent: 'directory',
  mode: null,
  uid: null,
  gid: null,
  owner: null,
  group: null,
  size: null,
  sha256: null,
  linkTarget: null,
  otherExists: null,
  content: null,
  umask: 0o022,
  dirWritableBy: [],
};

export function absent(over: Partial<RemoteFile> = {}): RemoteFile {
  return { ...BASE, ...over };
}

export function regular(over: Partial<RemoteFile> = {}): RemoteFile {
  return { ...BASE, kind: 'file', mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', size: 0, sha256: 'e'.repeat(64), ...over };
}

export function directory(over: Partial<RemoteFile> = {}): RemoteFile {
  return { ...BASE, kind: 'directory', mode: 0o755, uid: 0, gid: 0, owner: 'root', group: 'root', size: 4096, ...over };
}

export function symlink(target: string, over: Partial<RemoteFile> = {}): RemoteFile {
  return { ...BASE, kind: 'link', mode: 0o777, uid: 0, gid: 0, owner: 'root', group: 'root', size: target.length, linkTarget: target, ...over };
}
