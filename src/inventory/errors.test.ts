import assert from 'node:assert/strict';
import { EXIT, ValidationError } from '../errors.js';
import { loadInventory } from './load.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';

/** Loads `rel` and returns the ValidationError's "file:line:col: detail" without the folder. */
async function failure(tree: TempTree, rel: string): Promise<string> {
  try {
    await loadInventory([tree.path(rel)]);
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    assert.equal(e.exitCode, EXIT.validation);
    return e.message.slice(tree.dir.length + 1);
  }
  assert.fail(`${rel} loaded without error`);
}

describe('inventory errors', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({
      'unknown-key.yml': 'all:\n  hosts:\n    h1:\n  chidren:\n    web: {}\n',
      'cycle.yml': 'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a: {}\n',
      'bad.yml': 'all:\n  hosts:\n    h1: {a: [1, 2}\n',
      'bad-indent.yml': 'all:\n  hosts:\n    h1:\n  oops\n',
      'hosts-list.yml': 'all:\n  hosts: [a, b]\n',
      'bad-range.yml': 'web:\n  hosts:\n    hv[05:1]:\n',
      'cycle.ini': '[a:children]\nb\n[b:children]\na\n',
      'bad-section.ini': '[web]\nh1\n[web:bogus]\nh2\n',
      'bad-pair.ini': '[web]\nh1 a=1 oops\n',
      'bad-quote.ini': '\n[web]\n  h1 a="open\n',
      'bad-range.ini': '[web]\nhv[1:x]\n',
      'undefined.ini': '[web]\nh1\n[db:vars]\nx=1\n',
      'undefined-child.ini': '[web:children]\ndb\n',
      'group_vars/all.yml': '- not\n- a mapping\n',
      'list-vars.yml': 'all:\n  hosts:\n    h1:\n',
    });
  });
  after(() => tree.remove());

  const cases: Array<[string, string]> = [
    ['unknown-key.yml', 'unknown-key.yml:4:3: unknown key "chidren" in group "all": only "hosts", "vars" and "children" are allowed'],
    ['cycle.yml', 'cycle.yml:5:9: cycle in children: adding group "b" as a child of "a" creates a recursive dependency loop'],
    ['bad.yml', 'bad.yml:3:18: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['bad-indent.yml', 'bad-indent.yml:4:3: malformed YAML: Implicit map keys need to be followed by map values'],
    ['hosts-list.yml', 'hosts-list.yml:2:3: invalid "hosts" entry for "all" group, requires a dictionary, found a list instead'],
    ['bad-range.yml', 'bad-range.yml:3:5: invalid host range "hv[05:1]": host range must specify equal-length begin and end formats'],
    ['cycle.ini', 'cycle.ini:4:1: cycle in children: adding group "a" as a child of "b" creates a recursive dependency loop'],
    ['bad-section.ini', 'bad-section.ini:3:1: malformed INI: section [web:bogus] has unknown type: bogus'],
    ['bad-pair.ini', 'bad-pair.ini:2:8: malformed INI: expected key=value host variable assignment, got: oops'],
    ['bad-quote.ini', `bad-quote.ini:3:3: malformed INI: error parsing host definition 'h1 a="open': No closing quotation`],
    ['bad-range.ini', 'bad-range.ini:2:1: invalid host range "hv[1:x]": "1:x" is neither a numeric nor an alphabetic range'],
    ['undefined.ini', 'undefined.ini:3:1: section [db:vars] not valid for undefined group: db'],
    ['undefined-child.ini', 'undefined-child.ini:2:1: section [web:children] includes undefined group: db'],
    ['list-vars.yml', 'group_vars/all.yml:1:1: a vars file must hold a mapping of variables'],
  ];
  for (const [file, message] of cases) {
    it(`points at the position of the mistake in ${file}`, async () => {
      assert.equal(await failure(tree, file), message);
    });
  }
});
