import assert from 'node:assert/strict';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { OptionsError } from '../errors.js';
import { tagFilter } from '../exec/tags.js';
import { loadInventory } from '../inventory/index.js';
import { loadPlaybooks } from '../playbook/index.js';
import { listPlaybooks } from './listing.js';
import { startAtTask } from './start-at-task.js';

const PLAYBOOK = `- name: First play
  hosts: all
  tags: [p]
  tasks:
    - name: one
      command: "true"
      tags: [b, a]
    - name: two
      command: "true"
    - block:
        - name: three
          command: "true"
          tags: c
      always:
        - name: four
          command: "true"
- hosts: web
  gather_facts: false
  tasks:
    - debug: msg=x
`;

describe('ansible-playbook listings and --start-at-task', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({ 'pb.yml': PLAYBOOK, 'hosts.ini': '[web]\nh1\nh2\n[db]\nh3\n' });
  });
  after(() => tree.remove());
  const load = () => loadPlaybooks([tree.path('pb.yml')]);

  it('prints --list-hosts and --list-tasks as ansible-playbook does, --limit and --tags applied', async () => {
    const inv = await loadInventory([tree.path('hosts.ini')]);
    const text = listPlaybooks(await load(), ['pb.yml'], inv, new Set(['h1', 'h3']), tagFilter(['p'], ['c']), { hosts: true, tasks: true, tags: false });
    assert.equal(text, [
      '', 'playbook: pb.yml', '',
      '  play #1 (all): First play\tTAGS: [p]', "    pattern: ['all']", '    hosts (2):', '      h1', '      h3',
      '    tasks:', '      one\tTAGS: [a, b, p]', '      two\tTAGS: [p]', '      four\tTAGS: [p]', '',
      '  play #2 (web): web\tTAGS: []', "    pattern: ['web']", '    hosts (1):', '      h1', '    tasks:', '',
    ].join('\n'));
  });

  it('prints --list-tags: every tag of the play\'s tasks, sorted', async () => {
    const inv = await loadInventory([tree.path('hosts.ini')]);
    const text = listPlaybooks(await load(), ['pb.yml'], inv, undefined, tagFilter([], []), { hosts: false, tasks: false, tags: true });
    assert.equal(text, '\nplaybook: pb.yml\n\n  play #1 (all): First play\tTAGS: [p]\n      TASK TAGS: [a, b, c, p]\n\n  play #2 (web): web\tTAGS: []\n      TASK TAGS: []\n');
  });

  it('--start-at-task leaves out every task before the named one, blocks included; later plays keep theirs', async () => {
    const loaded = await load();
    startAtTask(loaded, 'three');
    const [first, second] = loaded.playbooks[0]!.plays;
    assert.deepEqual(first!.tasks.map((t) => t.name), ['three', 'four']);
    assert.equal(first!.steps.length, 1);
    assert.deepEqual(second!.tasks.map((t) => t.module), ['debug']);
  });

  it('--start-at-task takes a glob; inside a block whose task is left out, the always part stays', async () => {
    const loaded = await load();
    startAtTask(loaded, 'fo*');
    assert.deepEqual(loaded.playbooks[0]!.plays[0]!.tasks.map((t) => t.name), ['four']);
  });

  it('--start-at-task with a name no task has is an error (exit 5)', async () => {
    assert.throws(() => startAtTask({ ...({} as object), playbooks: [] } as never, 'nothing'), OptionsError);
    const loaded = await load();
    assert.throws(() => startAtTask(loaded, 'no such task'), /--start-at-task "no such task": no task has this name/);
  });
});
