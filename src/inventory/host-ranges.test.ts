import assert from 'node:assert/strict';
import { expandHostPattern, HostRangeError, parseAddress } from './host-ranges.js';

describe('host ranges', () => {
  const cases: Array<[string, string[], number | null]> = [
    ['hv[01:03]', ['hv01', 'hv02', 'hv03'], null],
    ['node-[a:c]', ['node-a', 'node-b', 'node-c'], null],
    ['x[1:10:4]y', ['x1y', 'x5y', 'x9y'], null],
    ['mail[:2].example.com', ['mail0.example.com', 'mail1.example.com', 'mail2.example.com'], null],
    ['db-[99:101]-node', ['db-99-node', 'db-100-node', 'db-101-node'], null],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b'], null],
    ['10.0.0.[5:6]:2200', ['10.0.0.5', '10.0.0.6'], 2200],
    ['hv01:2222', ['hv01'], 2222],
    ['[fe80::1]:2022', ['fe80::1'], 2022],
    ['fe80::2', ['fe80::2'], null],
  ];
  for (const [pattern, hosts, port] of cases) {
    it(`expands ${pattern} as Ansible does`, () => {
      assert.deepEqual(expandHostPattern(pattern), { hosts, port });
    });
  }

  const invalid = ['h[05:1]', 'h[5:1]', 'h[01:5]', 'h[1:]', 'h[1:2:3:4]', 'h[1:x]', 'h[z:a]', 'h[1:5:0]', 'h[1'];
  for (const pattern of invalid) {
    it(`refuses the invalid range ${pattern}`, () => {
      assert.throws(() => expandHostPattern(pattern), HostRangeError);
    });
  }

  it('leaves a name that is no address whole, port and all', () => {
    assert.equal(parseAddress('not a host:22'), null);
    assert.deepEqual(expandHostPattern('my_host!:22'), { hosts: ['my_host!:22'], port: null });
  });

  it('refuses a range, or nested ranges, standing for more than 100,000 hosts, without building them', () => {
    const started = Date.now();
    assert.throws(() => expandHostPattern('web[0:99999999]'), /stands for 100000000 hosts, more than 100000/);
    assert.throws(() => expandHostPattern('r[0:999]-[0:999]'), /nested ranges stand for more than 100000 hosts/);
    assert.ok(Date.now() - started < 2000);
    assert.equal(expandHostPattern('web[1:100000]').hosts.length, 100_000);
  });
});
