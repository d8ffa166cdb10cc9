import assert from 'node:assert/strict';
import { loadSite, yaml } from '../../test/support/playbook-fixture.js';

const play = (...taskLines: string[]): string => yaml('- hosts: all', '  tasks:', ...taskLines);

describe('async and poll task keywords', () => {
  it('reads async and poll, poll defaulting to Ansible\'s 10', async () => {
    const { run, problems, tree } = await loadSite({
      'site.yaml': play(
        '    - shell: sleep 5', '      async: 30', '      poll: 0',
        '    - ansible.builtin.shell: sleep 5', '      async: 30',
        '    - ping:', '      async: 5', '      poll: 1',
        '    - ping:',
      ),
    });
    await tree.remove();
    assert.deepEqual(problems, []);
    assert.deepEqual(run!.playbooks[0]!.plays[0]!.tasks.map((t) => [t.module, t.async, t.poll]), [
      ['shell', 30, 0], ['shell', 30, 10], ['ping', 5, 1], ['ping', undefined, 10],
    ]);
  });

  it('refuses poll 0 for a module other than command and shell, at its poll', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': play('    - ping:', '      async: 30', '      poll: 0') });
    await tree.remove();
    assert.deepEqual(problems, ['5:7: poll: 0 runs command and shell only in kvmplay, not ping: give "poll" seconds (the task then waits, "async" its deadline)']);
  });

  it('checks that both are whole seconds, 0 or more', async () => {
    const { problems, tree } = await loadSite({ 'site.yaml': play('    - shell: echo', '      async: 1.5', '      poll: -1') });
    await tree.remove();
    assert.deepEqual(problems, ['4:14: "async" must be a whole number of seconds', '5:13: "poll" must be 0 or more']);
  });
});
