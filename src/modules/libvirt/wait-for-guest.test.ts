import assert from 'node:assert/strict';
import { parseGuestWait, planWaitForGuest, WaitForGuestArgs } from './wait-for-guest.js';

const args = WaitForGuestArgs.parse({ name: 'web01' });

describe('wait_for_guest', () => {
  it('reads how the wait on the hypervisor ended', () => {
    assert.deepEqual(parseGuestWait('address 192.168.122.7\nelapsed 4\nresult ok\n'), { kind: 'ok', elapsed: 4, address: '192.168.122.7' });
    assert.deepEqual(parseGuestWait('elapsed 300\nresult timeout\n'), { kind: 'timeout', elapsed: 300, text: 'no address with an open port yet' });
    assert.deepEqual(parseGuestWait('elapsed 0\nresult error\nerror the domain is shut off, not running\n'),
      { kind: 'error', elapsed: 0, text: 'the domain is shut off, not running' });
    assert.equal(parseGuestWait('sh: virsh: not found\n'), undefined);
    assert.equal(parseGuestWait('elapsed 2\nresult ok\n'), undefined, 'ok without an address is no answer');
  });

  it('is never a change; says where the guest answered and as whom', () => {
    const plan = planWaitForGuest(args, { kind: 'ok', elapsed: 5, address: '192.168.122.7', hostname: 'web01', alias: 'web01' });
    assert.ok('changes' in plan);
    assert.deepEqual(plan.changes, []);
    assert.equal(plan.okMsg, 'web01 answers SSH at 192.168.122.7 as web01 after 5 s');
    assert.deepEqual(plan.data, { elapsed: 5, address: '192.168.122.7', hostname: 'web01', host_key_alias: 'web01' });
  });

  it('fails with the reason on a timeout or an error', () => {
    const timedOut = planWaitForGuest(args, { kind: 'timeout', elapsed: 300, text: 'no address with an open port yet' });
    assert.ok('fail' in timedOut);
    assert.equal(timedOut.fail, 'timed out after 300 s waiting for guest web01 to answer on port 22: no address with an open port yet');
    const error = planWaitForGuest(args, { kind: 'error', elapsed: 0, text: 'the domain is paused, not running' });
    assert.ok('fail' in error);
    assert.equal(error.fail, 'guest web01: the domain is paused, not running');
  });

  it('takes Ansible-style numbers and refuses a zero timeout', () => {
    assert.equal(WaitForGuestArgs.parse({ name: 'a', timeout: '60', port: '2222' }).timeout, 60);
    assert.equal(WaitForGuestArgs.safeParse({ name: 'a', timeout: 0 }).success, false);
  });
});
