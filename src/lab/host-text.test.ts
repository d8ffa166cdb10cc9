import assert from 'node:assert/strict';
import { hostsText, interfacesText, passwdEntry } from './host-text.js';

describe('lab host files', () => {
  it('maps the host name to its lab address in /etc/hosts', () => {
    const text = hostsText('lab02', '10.213.0.12');
    assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(text, /^10\.213\.0\.12\tlab02$/m);
  });

  it('describes em1 as static without a gateway and leaves em2 unconfigured', () => {
    const text = interfacesText('10.213.0.11');
    assert.match(text, /^iface em1 inet static\n {4}address 10\.213\.0\.11\/24$/m);
    assert.match(text, /^iface em2 inet manual$/m);
    assert.doesNotMatch(text, /gateway/);
  });

  it('gives hosts beyond the first 240 the whole lab subnet as prefix', () => {
    assert.match(interfacesText('10.213.1.1', 22), /^ {4}address 10\.213\.1\.1\/22$/m);
  });

  it('reads uid, gid and home of a user from /etc/passwd', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nkvp:x:1000:1000:kvmplay lab user:/home/kvp:/bin/bash\n';
    assert.deepEqual(passwdEntry(passwd, 'kvp'), { uid: 1000, gid: 1000, home: '/home/kvp' });
    assert.equal(passwdEntry(passwd, 'nobody'), null);
  });
});
