// raw, script and who a task becomes against ansible-playbook (test/support/twin.ts): the same statuses on
// the first and second runs, the same files and registered values under root.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

describe('raw, script and become, against Ansible', function () {
  let lab: TwinLab;
  before(async () => {
    lab = await TwinLab.open('commands');
  });
  after(async () => lab.close());

  it('runs them as ansible-playbook does, on the same host', async () => {
    const r = await lab.twin({
      playbook: join(repoRoot, 'test', 'fixtures', 'twin-modules', 'commands', 'commands.yaml'),
      ansibleHost: 'lab01', kvmplayHost: 'lab01',
      state: async (h, root) => `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/results.txt`)}`,
    });
    assert.deepEqual(r.problems, []);
    assert.ok(r.outcomes.includes('Script that fails: failed'), r.outcomes.join('\n'));
  });

  it('becomes whom ansible-playbook becomes: variables over keywords over -b', async () => {
    const r = await lab.twin({
      playbook: join(repoRoot, 'test', 'fixtures', 'twin-modules', 'commands', 'become-precedence.yaml'),
      ansibleHost: 'lab01', kvmplayHost: 'lab01', args: ['-b', '--become-user', 'bin'],
      state: async (h, root) => lab.read(h, `${root}/who.txt`),
    });
    assert.deepEqual(r.problems, []);
    const kRoot = (await lab.sh('lab01', `ls -d ${lab.base}/*-kvmplay | tail -n 1`)).trim();
    assert.equal(await lab.read('lab01', `${kRoot}/who.txt`), 'bin daemon root nobody nobody root\n');
  });
});
