import assert from 'node:assert/strict';
import { knownHostsText, setShadowPassword } from './keys.js';

describe('lab keys', () => {
  it('writes one known_hosts line per host, by name and address', () => {
    assert.equal(
      knownHostsText([{ name: 'lab01', address: '10.213.0.11', key: 'ssh-ed25519 AAAA1' }, { name: 'lab02', address: '10.213.0.12', key: 'ssh-ed25519 AAAA2' }]),
      'lab01,10.213.0.11 ssh-ed25519 AAAA1\nlab02,10.213.0.12 ssh-ed25519 AAAA2\n',
    );
  });

  it("replaces only the lab user's password hash in /etc/shadow", () => {
    const shadow = 'root:*:20000:0:99999:7:::\nkvp:!:20000:0:99999:7:::\nkvpx:!:1::::::\n';
    assert.equal(setShadowPassword(shadow, 'kvp', '$6$s$h'), 'root:*:20000:0:99999:7:::\nkvp:$6$s$h:20000:0:99999:7:::\nkvpx:!:1::::::\n');
  });

  it('fails clearly when the user is missing from /etc/shadow', () => {
    assert.throws(() => setShadowPassword('root:*:1::::::\n', 'kvp', '$6$x'), /user kvp is not in/);
  });
});
