import assert from 'node:assert/strict';
import { addHostModule, AddHostArgs } from './add-host.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

function issues(args: Record<string, unknown>): Array<{ path: PropertyKey[]; message: string }> {
  const r = AddHostArgs.safeParse(args);
  assert.equal(r.success, false, JSON.stringify(args));
  return r.error?.issues ?? [];
}

describe('add_host', () => {
  it('returns Ansible\'s add_host request: the name, the groups, every other argument a host variable', async () => {
    const host = new RecordedHost();
    const args = { name: 'web1', groups: ['web', 'db'], ansible_host: '10.0.0.5', ansible_port: 2222, foo: { a: 1 } };
    const r = await addHostModule.run(host, AddHostArgs.parse(args), fakeContext());
    assert.equal(host.calls.length, 0, 'add_host never contacts the host');
    assert.deepEqual(r, {
      changed: false,
      msg: 'host web1 in web, db',
      data: { add_host: { host_name: 'web1', groups: ['web', 'db'], host_vars: { ansible_host: '10.0.0.5', ansible_port: 2222, foo: { a: 1 } } } },
    });
  });

  it('gives the same result in check mode (the engine changes the inventory then too)', async () => {
    const r = await addHostModule.run(new RecordedHost(), AddHostArgs.parse({ name: 'x' }), fakeContext({ check: true }));
    assert.deepEqual(r.data, { add_host: { host_name: 'x', groups: [], host_vars: {} } });
  });

  const table: Array<[string, Record<string, unknown>, { host_name: string; groups: string[]; host_vars: Record<string, unknown> }]> = [
    ['hostname is an alias of name', { hostname: 'a' }, { host_name: 'a', groups: [], host_vars: {} }],
    ['host is an alias of name, not a variable', { host: 'a', x: 1 }, { host_name: 'a', groups: [], host_vars: { x: 1 } }],
    ['a name:port is left for the engine to split', { name: 'a:2222' }, { host_name: 'a:2222', groups: [], host_vars: {} }],
    ['a number is a name', { name: 5 }, { host_name: '5', groups: [], host_vars: {} }],
    ['groups separated by commas, stripped, each once', { name: 'a', groups: 'web, db,web' }, { host_name: 'a', groups: ['web', 'db'], host_vars: {} }],
    ['group and groupname are aliases of groups', { name: 'a', group: 'g' }, { host_name: 'a', groups: ['g'], host_vars: {} }],
    ['groupname as a list', { name: 'a', groupname: ['g1', ' g2 '] }, { host_name: 'a', groups: ['g1', 'g2'], host_vars: {} }],
    ['an empty groups string is no group', { name: 'a', groups: '' }, { host_name: 'a', groups: [], host_vars: {} }],
  ];
  for (const [what, args, want] of table) {
    it(`reads its arguments as Ansible does: ${what}`, () => assert.deepEqual(AddHostArgs.parse(args), want));
  }

  it('requires a name, naming the arguments that would have been variables', () => {
    const [i] = issues({ no_such_argument: 1 });
    assert.equal(i?.message, "missing required argument name (or its aliases hostname, host); the other arguments (no_such_argument) are the host's variables");
    assert.equal(issues({})[0]?.message, 'missing required argument name (or its aliases hostname, host)');
  });

  it('refuses two spellings of one argument, an empty group name and groups that are not a list', () => {
    assert.deepEqual(issues({ name: 'a', host: 'b' }).map((i) => [i.path, i.message]), [[['host'], 'name and host are the same argument: give only one of them']]);
    assert.match(issues({ name: 'a', groups: 'x,,y' })[0]?.message ?? '', /Invalid empty\/false group name/);
    assert.deepEqual(issues({ name: 'a', groups: { g: 1 } })[0]?.path, ['groups']);
    assert.deepEqual(issues({ name: '' })[0]?.path, ['name']);
    assert.deepEqual(issues({ name: 'a', groups: [['nested']] })[0]?.path, ['groups']);
  });
});
