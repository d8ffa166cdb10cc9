import assert from 'node:assert/strict';
import { OptionsError } from '../errors.js';
import { matchHosts, splitHostPattern, type PatternTarget } from './patterns.js';

/** A small inventory: web (w1 w2 w3), db (d1 d2 w3), ungrouped (u1), app = web + db. */
function fleet(): PatternTarget {
  const groups: Record<string, { hosts: string[]; children: string[] }> = {
    all: { hosts: [], children: ['ungrouped', 'app'] },
    ungrouped: { hosts: ['u1'], children: [] },
    app: { hosts: [], children: ['web', 'db'] },
    web: { hosts: ['w1', 'w2', 'w3'], children: [] },
    db: { hosts: ['d1', 'd2', 'w3'], children: [] },
  };
  const hostsOf = (g: string): string[] => {
    const entry = groups[g];
    if (!entry) return [];
    return [...new Set([...entry.hosts, ...entry.children.flatMap(hostsOf)])];
  };
  const hosts = ['u1', 'w1', 'w2', 'w3', 'd1', 'd2'];
  return {
    hostNames: () => hosts,
    groupNames: () => Object.keys(groups),
    hasHost: (n) => hosts.includes(n),
    hostsOf,
  };
}

describe('host patterns', () => {
  const inv = fleet();
  const cases: Array<[string, string[]]> = [
    ['all', ['u1', 'w1', 'w2', 'w3', 'd1', 'd2']],
    ['*', ['u1', 'w1', 'w2', 'w3', 'd1', 'd2']],
    ['web', ['w1', 'w2', 'w3']],
    ['w2', ['w2']],
    ['web:db', ['w1', 'w2', 'w3', 'd1', 'd2']],
    ['db,web', ['d1', 'd2', 'w3', 'w1', 'w2']],
    ['web:&db', ['w3']],
    ['app:!db', ['w1', 'w2']],
    ['!db', ['u1', 'w1', 'w2']],
    ['&web', ['w1', 'w2', 'w3']],
    ['web:!w3:&app', ['w1', 'w2']],
    ['w*', ['w1', 'w2', 'w3']],
    ['d?', ['d1', 'd2', 'w3']], // a glob matches group names too: db
    ['w?', ['w1', 'w2', 'w3']],
    ['[wd]1', ['w1', 'd1']],
    ['~^(w|d)2$', ['w2', 'd2']],
    ['~d', ['d1', 'd2', 'w3']], // a regex matches group names too (db), from the start only
    ['web[0]', ['w1']],
    ['web[-1]', ['w3']],
    ['web[1:]', ['w2', 'w3']],
    ['web[0:1]', ['w1', 'w2']],
    ['nothing', []],
    ['web[9]', []],
  ];
  for (const [pattern, hosts] of cases) {
    it(`matches ${pattern} as Ansible does`, () => {
      assert.deepEqual(matchHosts(inv, pattern), hosts);
    });
  }

  it('splits on commas, or on colons where the pattern is not an address', () => {
    assert.deepEqual(splitHostPattern('a,b[1], c[2:3] , d'), ['a', 'b[1]', 'c[2:3]', 'd']);
    assert.deepEqual(splitHostPattern('web:&db:!w3'), ['web', '&db', '!w3']);
    assert.deepEqual(splitHostPattern('hv[01:20]'), ['hv[01:20]']);
    assert.deepEqual(splitHostPattern('fe80::1'), ['fe80::1']);
  });

  it('takes a list of patterns like a comma-separated one', () => {
    assert.deepEqual(matchHosts(inv, ['web', '!w1']), ['w2', 'w3']);
  });

  it('refuses a regular expression that does not compile', () => {
    assert.throws(() => matchHosts(inv, '~(unclosed'), OptionsError);
  });
});
