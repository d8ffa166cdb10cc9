import assert from 'node:assert/strict';
import { isLaunchOf } from './sshd.js';

const launcher = '/l/launch-host.sh';
const argv = (dir: string) => ['unshare', '--mount', '--uts', '--pid', '--fork', '--propagation', 'private',
  '/bin/sh', launcher, 'light', '/c/rootfs', dir, 'lab01', '/c/repo', '/l/skeleton', '-'];

describe('lab host processes', () => {
  it("recognises a host's launch by its exact launcher and host directory", () => {
    assert.ok(isLaunchOf(argv('/l/hosts/lab01'), launcher, '/l/hosts/lab01'));
    assert.ok(isLaunchOf(['ip', 'netns', 'exec', 'kvp-lab01', ...argv('/l/hosts/lab01')], launcher, '/l/hosts/lab01'));
  });

  it('ignores other hosts, other labs and processes merely named like the launcher', () => {
    assert.ok(!isLaunchOf(argv('/l/hosts/lab10'), launcher, '/l/hosts/lab01'));
    assert.ok(!isLaunchOf(argv('/l/hosts/lab01'), '/other/launch-host.sh', '/l/hosts/lab01'));
    assert.ok(!isLaunchOf([launcher, 'light', '/c/rootfs', '/l/hosts/lab01'], launcher, '/l/hosts/lab01'));
    assert.ok(!isLaunchOf(['sshd: /usr/sbin/sshd -D -e [listener]'], launcher, '/l/hosts/lab01'));
  });
});
