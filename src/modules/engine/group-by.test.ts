import assert from 'node:assert/strict';
import { groupByModule, GroupByArgs } from './group-by.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';

describe('group_by', () => {
  it('returns add_group and parent_groups (default all), never contacting the host', async () => {
    const host = new RecordedHost();
    const r = await groupByModule.run(host, GroupByArgs.parse({ key: 'os_debian' }), fakeContext());
    assert.equal(host.calls.length, 0);
    assert.deepEqual(r, { changed: false, msg: 'group os_debian', data: { add_group: 'os_debian', parent_groups: ['all'] } });
  });

  it('turns spaces into dashes in the group and its parents, as Ansible does', () => {
    assert.deepEqual(GroupByArgs.parse({ key: 'Red Hat', parents: ['by os', 'x'] }), { key: 'Red-Hat', parents: ['by-os', 'x'] });
  });

  it('takes one parent as a string, and numbers as names', () => {
    assert.deepEqual(GroupByArgs.parse({ key: 7, parents: 'p' }), { key: '7', parents: ['p'] });
    assert.deepEqual(GroupByArgs.parse({ key: 'k', parents: [] }), { key: 'k', parents: [] });
  });

  it('requires a non-empty key and refuses other arguments', () => {
    assert.equal(GroupByArgs.safeParse({}).success, false);
    assert.equal(GroupByArgs.safeParse({ key: '' }).success, false);
    const r = GroupByArgs.safeParse({ key: 'k', name: 'x' });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /name/);
  });
});
