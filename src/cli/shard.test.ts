import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import { EXIT, OptionsError } from '../errors.js';
import { matchHosts, type PatternTarget } from '../inventory/index.js';
import { shardOption } from './options.js';
import { parseShard, resolveShard, shardHosts, shardLimit, shardOrder } from './shard.js';

/** Names as inventories spell them: numbered, dotted, mixed case, an address. */
function hostNames(n: number): string[] {
  const kinds = [(i: number) => `hv${String(i).padStart(3, '0')}`, (i: number) => `web-${i}.dc1.example.com`, (i: number) => `10.0.${i >> 8}.${i & 255}`, (i: number) => `Node_${i}`];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!(i));
}

function inventoryOf(hosts: string[]): PatternTarget {
  return { hostNames: () => hosts, groupNames: () => ['all'], hasHost: (h) => hosts.includes(h), hostsOf: (g) => (g === 'all' ? hosts : []) };
}

describe('--shard K/N: a stable, balanced slice of the hosts', () => {
  it('reads K/N with 1 <= K <= N, and anything else is a bad option (exit 5) naming where it came from', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard('1/1'), { index: 1, count: 1 });
    assert.deepEqual(parseShard(' 7 / 7 '), { index: 7, count: 7 });
    for (const bad of ['0/4', '5/4', 'a/b', '1/0', '0/0', '', '2', '1/4/2', '-1/4', '1.5/4', '2/4x', '1/99999999999999999999']) {
      assert.throws(() => parseShard(bad), (e: unknown) => e instanceof OptionsError && e.exitCode === EXIT.options && e.message.includes(`--shard must be K/N`) && e.message.includes(JSON.stringify(bad)), bad);
    }
    // commander turns InvalidArgumentError into its own error, which the CLI maps to exit 5.
    assert.throws(() => shardOption('5/4'), InvalidArgumentError);
    assert.deepEqual(shardOption('3/4'), { index: 3, count: 4 });
  });

  it('takes --shard over KVMPLAY_SHARD over KVMPLAY_SHARDS with JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)', () => {
    const flag = { index: 1, count: 2 };
    const env = { KVMPLAY_SHARD: '3/4', KVMPLAY_SHARDS: '5', JOB_COMPLETION_INDEX: '0' };
    assert.deepEqual(resolveShard(flag, env), flag);
    assert.deepEqual(resolveShard(undefined, env), { index: 3, count: 4 });
    assert.deepEqual(resolveShard(undefined, { KVMPLAY_SHARDS: '5', JOB_COMPLETION_INDEX: '0' }), { index: 1, count: 5 });
    assert.deepEqual(resolveShard(undefined, { KVMPLAY_SHARDS: '5', JOB_COMPLETION_INDEX: '4' }), { index: 5, count: 5 });
    assert.equal(resolveShard(undefined, {}), undefined);
    assert.equal(resolveShard(undefined, { KVMPLAY_SHARD: '', KVMPLAY_SHARDS: '' }), undefined);
    // Any Indexed Job sets the index; alone it does not ask for sharding.
    assert.equal(resolveShard(undefined, { JOB_COMPLETION_INDEX: '2' }), undefined);
  });

  it('refuses environment values that would shard wrongly or not at all (exit 5), naming the variable', () => {
    const refuses = (env: NodeJS.ProcessEnv, words: RegExp): void => {
      assert.throws(() => resolveShard(undefined, env), (e: unknown) => e instanceof OptionsError && e.exitCode === EXIT.options && words.test(e.message), JSON.stringify(env));
    };
    refuses({ KVMPLAY_SHARD: '5/4' }, /^KVMPLAY_SHARD must be K\/N/);
    refuses({ KVMPLAY_SHARD: 'a/b' }, /^KVMPLAY_SHARD must be K\/N/);
    // Without an index every pod would run every host.
    refuses({ KVMPLAY_SHARDS: '4' }, /KVMPLAY_SHARDS=4 needs JOB_COMPLETION_INDEX/);
    refuses({ KVMPLAY_SHARDS: '0', JOB_COMPLETION_INDEX: '0' }, /KVMPLAY_SHARDS must be a whole number of shards >= 1, got "0"/);
    refuses({ KVMPLAY_SHARDS: 'four', JOB_COMPLETION_INDEX: '0' }, /KVMPLAY_SHARDS must be/);
    refuses({ KVMPLAY_SHARDS: '4', JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX\+1 \/ KVMPLAY_SHARDS must be K\/N .*"5\/4"/);
    refuses({ KVMPLAY_SHARDS: '4', JOB_COMPLETION_INDEX: '-1' }, /JOB_COMPLETION_INDEX must be a whole number >= 0/);
  });

  it('puts every host in exactly one shard, with shard sizes at most one apart, for N = 1..7', () => {
    for (const total of [0, 1, 2, 3, 5, 7, 8, 13, 50, 101, 500]) {
      const hosts = hostNames(total);
      for (let count = 1; count <= 7; count++) {
        const slices = Array.from({ length: count }, (_, k) => shardHosts(hosts, { index: k + 1, count }));
        const all = slices.flat();
        assert.equal(all.length, hosts.length, `${total} hosts, ${count} shards: each host once`);
        assert.deepEqual(new Set(all), new Set(hosts));
        const sizes = slices.map((s) => s.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${total} hosts, ${count} shards: sizes ${sizes.join(',')}`);
      }
    }
  });

  it('depends only on the names: any order of the same hosts gives the same slices, on any machine', () => {
    const hosts = hostNames(40);
    const shuffled = [...hosts].sort((a, b) => createHash('md5').update(a).digest('hex').localeCompare(createHash('md5').update(b).digest('hex')));
    for (let k = 1; k <= 3; k++) {
      assert.deepEqual(new Set(shardHosts(shuffled, { index: k, count: 3 })), new Set(shardHosts(hosts, { index: k, count: 3 })));
    }
    // The rule itself: by the SHA-1 hex of the name, the i-th host to shard (i mod N)+1.
    const order = shardOrder(hosts);
    const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
    for (let i = 1; i < order.length; i++) assert.ok(sha1(order[i - 1]!) < sha1(order[i]!));
    assert.deepEqual(shardHosts(hosts, { index: 2, count: 3 }), hosts.filter((h) => order.indexOf(h) % 3 === 1));
    // Pinned, so a change of the rule (which would move hosts between running shards) shows.
    const lab = ['lab01', 'lab02', 'lab03', 'lab04', 'lab05'];
    assert.deepEqual([1, 2, 3, 4].map((index) => shardHosts(lab, { index, count: 4 })), [['lab01', 'lab03'], ['lab04'], ['lab02'], ['lab05']]);
    // Duplicates in the input are one host.
    assert.deepEqual(shardHosts(['lab01', 'lab01'], { index: 1, count: 1 }), ['lab01']);
  });

  it('is a --limit that matches exactly the slice, and nothing for an empty shard', () => {
    const hosts = ['lab01', 'lab02', 'fe80::1', 'web[1]', 'db*'];
    const inv = inventoryOf([...hosts, 'other']);
    for (let k = 1; k <= 3; k++) {
      const shard = { index: k, count: 3 };
      assert.deepEqual(new Set(matchHosts(inv, shardLimit(hosts, shard))), new Set(shardHosts(hosts, shard)));
    }
    assert.deepEqual(matchHosts(inv, shardLimit(['lab01'], { index: 2, count: 2 })), []);
    assert.equal(shardLimit([], { index: 1, count: 1 }), '!all');
  });
});
