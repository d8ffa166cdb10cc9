import assert from 'node:assert/strict';
import { textSink as sink } from '../../../test/support/text-sink.js';
import { EXIT, KvmplayError, OptionsError } from '../../errors.js';
import { writeTree, type TempTree } from '../../../test/support/file-tree.js';
import { inventoryCommand } from './inventory.js';

describe('kvmplay inventory', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({
      'hosts.yml': 'all:\n  vars: {z: 1, a: {y: 2, b: 3}}\n  children:\n    kvm:\n      hosts:\n        hv01: {ansible_host: 192.0.2.11}\n',
    });
  });
  after(() => tree.remove());

  it('prints one host’s variables as one JSON object, keys sorted as ansible-inventory does', async () => {
    const out = sink();
    assert.equal(await inventoryCommand({ inventory: [tree.path('hosts.yml')], host: 'hv01' }, out, sink()), EXIT.ok);
    assert.equal(out.text(), '{\n    "a": {\n        "b": 3,\n        "y": 2\n    },\n    "ansible_host": "192.0.2.11",\n    "z": 1\n}\n');
  });

  it('fails with exit code 1 and a clear message for a host that is not in the inventory', async () => {
    await assert.rejects(inventoryCommand({ inventory: [tree.path('hosts.yml')], host: 'hv99' }, sink(), sink()),
      (e: unknown) => e instanceof KvmplayError && e.exitCode === EXIT.error && /unknown host "hv99"/.test(e.message));
  });

  it('prints the group tree with --graph', async () => {
    const out = sink();
    await inventoryCommand({ inventory: [tree.path('hosts.yml')], graph: true }, out, sink());
    assert.equal(out.text(), '@all:\n  |--@ungrouped:\n  |--@kvm:\n  |  |--hv01\n');
  });

  it('prints the --list JSON by default', async () => {
    const out = sink();
    await inventoryCommand({ inventory: [tree.path('hosts.yml')] }, out, sink());
    assert.deepEqual(JSON.parse(out.text()), {
      _meta: { hostvars: { hv01: { a: { b: 3, y: 2 }, ansible_host: '192.0.2.11', z: 1 } } },
      all: { children: ['ungrouped', 'kvm'] },
      kvm: { hosts: ['hv01'] },
    });
  });

  it('--limit leaves the other hosts out of --list, --graph and --host', async () => {
    const limited = await writeTree({ 'hosts.ini': '[web]\nw1\nw2\n[db]\nd1\n' });
    try {
      const inventory = [limited.path('hosts.ini')];
      const out = sink();
      await inventoryCommand({ inventory, limit: 'w2:d1' }, out, sink());
      assert.deepEqual(JSON.parse(out.text()), {
        _meta: { hostvars: {} },
        all: { children: ['ungrouped', 'web', 'db'] },
        web: { hosts: ['w2'] },
        db: { hosts: ['d1'] },
      });
      const graph = sink();
      await inventoryCommand({ inventory, limit: 'w1', graph: true }, graph, sink());
      assert.equal(graph.text(), '@all:\n  |--@ungrouped:\n  |--@web:\n  |  |--w1\n  |--@db:\n');
      await assert.rejects(inventoryCommand({ inventory, limit: 'web', host: 'd1' }, sink(), sink()), /host "d1" is not in --limit "web"/);
    } finally {
      await limited.remove();
    }
  });

  it('refuses two actions at once', async () => {
    await assert.rejects(inventoryCommand({ inventory: [tree.path('hosts.yml')], graph: true, host: 'hv01' }, sink(), sink()), OptionsError);
  });
});
