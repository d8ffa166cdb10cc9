// The differential harness itself (test/support/twin.ts): a playbook both tools agree
// on gives no problems; one where kvmplay is made to differ (another -e value for
// kvmplay only is not possible: the state function names the host) gives exactly that one.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

const smoke = join(repoRoot, 'test', 'fixtures', 'twin-modules', 'smoke.yaml');

describe('the differential harness against ansible-playbook', function () {
  let lab: TwinLab;
  before(async () => {
    lab = await TwinLab.open('harness');
  });
  after(async () => lab.close());

  it('finds nothing to report when both tools do the same, on one host and on two', async () => {
    const same = await lab.twin({ playbook: smoke, ansibleHost: 'lab01', kvmplayHost: 'lab01', state: (h, r) => lab.fileTree(h, r) });
    assert.deepEqual(same.problems, []);
    assert.ok(same.outcomes.includes('copy [y]: changed'), same.outcomes.join('\n'));
    const two = await lab.twin({ playbook: smoke, ansibleHost: 'lab02', kvmplayHost: 'lab03', state: (h, r) => lab.fileTree(h, r) });
    assert.deepEqual(two.problems, []);
  });

  it('reports a state that differs between the hosts', async () => {
    const r = await lab.twin({
      playbook: smoke, ansibleHost: 'lab02', kvmplayHost: 'lab03',
      state: async (h, root) => `${await lab.fileTree(h, root)}host ${h}\n`,
    });
    assert.equal(r.problems.length, 1, r.problems.join('\n\n'));
    assert.match(r.problems[0]!, /the states differ after the first run:[^]*-host lab02\n\+host lab03/);
  });
});
