// The playbooks under test/fixtures/playbooks/: one that uses every feature and
// validates cleanly, one with a mistake on each line.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../inventory/index.js';
import { loadPlaybooks } from './index.js';
import { ValidationErrors } from './problems.js';
import { displayName } from './source.js';
import { fakeModules } from '../../test/support/playbook-fixture.js';

// dist/src/playbook/ → the repository's test/fixtures/playbooks/
const fixtures = (rel: string): string => fileURLToPath(new URL(`../../../test/fixtures/playbooks/${rel}`, import.meta.url));

describe('fixture playbooks', () => {
  it('validates the rollout playbook with its inventory', async () => {
    const inventory = await loadInventory([fixtures('rollout/inventory.yaml')]);
    const run = await loadPlaybooks([fixtures('rollout/site.yaml')], { ...fakeModules, inventory, projectDir: fixtures('rollout') });
    const play = run.playbooks[0]!.plays[0]!;
    assert.deepEqual(play.tasks.map((t) => t.module), ['file', 'template', 'shell']);
    assert.deepEqual(play.tasks[0]!.args, { path: '{{ xml_dir }}', state: 'directory', mode: '0755' });
    assert.equal(play.become, true);
    assert.equal(play.maxFailPercentage, 20);
    assert.deepEqual(play.varsFiles[0]!.vars, { pool_path: '/var/lib/libvirt/images' });
    assert.deepEqual([...run.templates.keys()], [fixtures('rollout/templates/domain.xml.hbs')]);
  });

  it('reports each mistake of the broken playbook at its line and column', async () => {
    const err = await loadPlaybooks([fixtures('broken/site.yaml')], {
      ...fakeModules,
      inventory: await loadInventory([fixtures('rollout/inventory.yaml')]),
      projectDir: fixtures('broken'),
    }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ValidationErrors, String(err));
    assert.deepEqual(err.problems.map((p) => `${p.pos.line}:${p.pos.col}: ${p.detail}`), [
      '3:11: "serial" must be a number or a percentage',
      '5:7: unknown module "cpy" (did you mean "copy"?)',
      '6:25: unknown argument "modee" for file: did you mean "mode"? (valid: mode, path, state)',
      '7:31: argument "mode" of file must be a string, not a list',
      "8:27: task arguments: unknown filter 'nohelper'",
      '10:17: "when": expected a value, found end of expression',
      '11:23: undefined variable "undefined_thing": no inventory host, play vars, vars file, -e or earlier register defines it',
      '12:24: template file "missing.hbs" not found (looked in: ' +
        ['broken/missing.hbs', 'broken/templates/missing.hbs', 'broken/files/missing.hbs'].map((p) => displayName(fixtures(p))).join(', ') + ')',
      '14:7: task has two modules: copy and shell (a task runs one module)',
      '17:7: "loop" is not supported on a block (kvmplay applies block, rescue, always, name, when, tags, vars, become, become_user, become_method, environment, ignore_errors, delegate_to, check_mode, diff, no_log, any_errors_fatal)',
      '19:15: notify "nobody": no handler has this name or listens to it in this play',
    ]);
    assert.match(err.message.split('\n')[0]!, /broken\/site\.yaml:3:11: "serial" must be a number or a percentage$/);
  });
});
