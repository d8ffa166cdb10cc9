import assert from 'node:assert/strict';
import { ValidationError } from '../errors.js';
import { readCommonYaml } from './yaml-fast.js';
import { loadYamlText, type PNode } from './yaml-load.js';
import type { DuplicateKey } from './yaml-limits.js';

// The yaml package's reading; the playbook loader adds a `\n#` (see playbook/source.ts), inventories do not.
function full(text: string, dups: DuplicateKey[] = []): PNode | null | string {
  try {
    return loadYamlText(text, 'f.yaml', dups);
  } catch (e) {
    if (e instanceof ValidationError) return `error ${e.line}:${e.col}: ${e.detail}`;
    throw e;
  }
}

const fast = (text: string): PNode | undefined => readCommonYaml(`${text}\n#`, 'f.yaml');

/** The fast reader either declines or gives exactly the yaml package's tree, with and without the `\n#`. */
/** …and reports the same duplicate keys at the same places. */
function assertAgrees(text: string): 'same' | 'declined' {
  const fastDups: DuplicateKey[] = [];
  const fullDups: DuplicateKey[] = [];
  const bare = readCommonYaml(text, 'f.yaml', fastDups);
  if (bare !== undefined) {
    assert.deepEqual(bare, full(text, fullDups), `for:\n${text}`);
    assert.deepEqual(fastDups, fullDups, `duplicate keys for:\n${text}`);
  }
  const got = fast(text);
  if (got === undefined) return 'declined';
  assert.deepEqual(got, full(`${text}\n#`), `for:\n${text}\n#`);
  return 'same';
}

// A small seeded generator (mulberry32), so a failure can be replayed.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Values, keys and block scalars: common ones, and odd ones the reader must decline or get right.
const POOLS = {
  plain: {
    common: ['web', 'a b', 'a#b', 'x # note', '0755', '1.5', '-1', 'yes', 'No', '~', 'null', 'true', '0', '{{ x }}', 'a, b', 'echo {a,b}', 'é😀', "it's", 'say "hi"', '/etc/x.conf', 'http://x/y', '2001-12-14', '1:30', '1e3'],
    odd: ['0o7', '1_000', '.5', '+1', '0x1F', '2001-12-14t21:59:43.10-05:00', '2001-13-45', 'ON', 'y', 'Null', '=', '<<', '-x', '?x', ':x', '@x', '%x', 'a:b', 'a: b', 'a:', 'x]', 'a\\b', 'trailing  ', '.inf', '-.Inf', '.nan', 'FALSE', '00', '0b101', '190:20:30', '1.5e+3', '6.8523015e+5', '-', '#x',
      'nbsp\u00a0', '\u00a0lead', 'wide\u3000', 'ctl\u0001', 'del\u007f', 'nel\u0085x', 'lone\ud800'],
  },
  quoted: {
    common: ["'single'", "'it''s'", "''", '"double"', '""', '"a\\nb"', '"tab\\there"', '"q\\"q"', '"{{ x }}"', "'{{ x }}'", '"a # b"', "'#'"],
    odd: ['"back\\\\slash"', '"\\x41"', '"\\u00e9"', '"\\uD83D"', '"\\z"', '"\\ "', '"\\e"', '"\\N"', '"\\/"', '"\\0"', '"unclosed', "'a' b", '"a"b'],
  },
  flow: {
    common: ['[a, b]', '[ a , b ]', '[]', '{}', '{ a: b }', '{a: b, c: [1, 2]}', '[a, [b]]', '["x", \'y\']', '{a: "b"}', '[yes, 0755, ~]', '[{ a: 1 }, { b: 2 }]', '{ a: [ ] }', '[ "{{ x }}" ]'],
    odd: ['[a,b]', '{a:b}', '[a, ]', '[a: b]', '{a}', '[a #c]', '{ "k": v }', '{ 1: x, 1.0: y }', '{ a: b, a: c }', '[-1]', '[http://x]', '{ url: http://x }', '[ ]', '[a] b', '{ a: b } # c', '[,]', '{ a: }'],
  },
  key: {
    common: ['name', 'hosts', 'a b', 'yes', '1', '"quoted"', "'single'", 'é', 'when', 'x_y'],
    odd: ['1.0', '~', '=', '<<', 'k#', 'x y ', '-k', '"a:b"', '[k]', '&a k', '!t k', '? k', 'k'.repeat(1100), `"${'q'.repeat(1100)}"`, 'k\u00a0'],
  },
  block: {
    common: ['|', '|-', '|+', '>', '>-', '>+'],
    odd: ['| # c', '|2', '>1-', '|-  ', '| x'],
  },
} as const;

type Pool = keyof typeof POOLS;

class Gen {
  private readonly r: () => number;
  constructor(seed: number, private readonly odd: number) {
    this.r = random(seed);
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  one<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  from(pool: Pool): string {
    const p = POOLS[pool];
    return this.chance(this.odd) ? this.one(p.odd) : this.one(p.common);
  }

  blockScalar(indent: string): string[] {
    const body: string[] = [];
    const lines = 1 + Math.floor(this.r() * 4);
    for (let i = 0; i < lines; i++) {
      body.push(this.chance(this.odd)
        ? this.one([`${indent}    more`, `${indent}`, `${indent}     `, `${indent}  x: y`, `${indent} less`, `${indent}  \u00a0`, '\u00a0'])
        : this.one([`${indent}  line ${i}`, '', `${indent}  # not a comment`, `${indent}  echo "{{ x }}" | tee`]));
    }
    return [this.from('block'), ...body];
  }

  value(indent: string, depth: number): string[] {
    const k = this.r();
    if (k < 0.3) return [this.from('plain')];
    if (k < 0.45) return [this.from('quoted')];
    if (k < 0.6) return [this.from('flow')];
    if (k < 0.7) return this.blockScalar(indent);
    if (k < 0.72 && this.chance(this.odd * 3)) return ['']; // an empty value
    if (depth > 2) return [this.from('plain')];
    return ['', ...(this.chance(0.5) ? this.map(`${indent}  `, depth + 1) : this.list(this.chance(0.5) ? indent : `${indent}  `, depth + 1))];
  }

  map(indent: string, depth: number): string[] {
    const out: string[] = [];
    const n = 1 + Math.floor(this.r() * 4);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.1)) out.push(this.one(['', `${indent}# comment`, '# at column 1', `${indent}   # deeper`]));
      const [first, ...rest] = this.value(indent, depth);
      const sep = this.chance(this.odd) ? this.one([':  ', ' : ', ':']) : ': ';
      const comment = this.chance(0.1) ? ' # trailing' : '';
      out.push(first === '' ? `${indent}${this.from('key')}:${comment}` : `${indent}${this.from('key')}${sep}${first}${comment}`);
      out.push(...rest);
    }
    return out;
  }

  list(indent: string, depth: number): string[] {
    const out: string[] = [];
    const n = 1 + Math.floor(this.r() * 3);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.5) && depth < 3) {
        const [first, ...rest] = this.map(`${indent}  `, depth + 1);
        out.push(`${indent}- ${first!.trimStart()}`, ...rest);
      } else {
        const [first, ...rest] = this.value(`${indent}  `, depth + 1);
        out.push(first === '' ? `${indent}-` : `${indent}- ${first}`, ...rest);
      }
    }
    return out;
  }

  document(): string {
    const lines = this.chance(0.5) ? this.map('', 0) : this.list('', 0);
    if (this.chance(0.2)) lines.unshift('---');
    return lines.join('\n');
  }
}

describe('the fast YAML reader', () => {
  it('reads a playbook exactly as the full loader does', () => {
    const text = [
      '---',
      '# A play',
      '- name: Roll out',
      '  hosts: hypervisors',
      '  become: yes',
      '  serial: [1, "50%"]',
      '  vars: { xml_dir: /etc/kvmplay, mode: 0644 }',
      '  tasks:',
      '    - name: "Domain XML for {{ vm.name }}"',
      '      template:',
      '        src: domain.xml.hbs',
      "        dest: '{{ xml_dir }}/{{ vm.name }}.xml'",
      '      loop: "{{ vms }}"',
      '      when: vms is defined  # only with VMs',
      '',
      '    - shell: |',
      '        echo one',
      '',
      '        echo two',
      '      args:',
      '        chdir: /tmp',
      '      tags:',
      '      - vm',
      '      - check',
      '    - copy:',
      '        content: >-',
      '          folded',
      '          text',
      '        dest: /etc/x',
    ].join('\n');
    assert.equal(assertAgrees(text), 'same');
  });

  for (const text of [
    'a: |+\n  x\n\n\n# c\n\nb: 1', 'a: >\n  x\n  y\n\n  z\n\n\n  w\nb: 1', 'a: >-\n\n  x\n  y\nb: 1', 'a: |-\n  x\n   y\n  z\nb: 1',
    'a:\n  - |\n    x\n  - >\n    y\n    z\nb: 1', 'k: "a\\u00e9\\x41\\t"', "k: 'a''b'", 'k: { "x y": [1, "2", \'3\'], z: {} }',
    'k: [a, {b: c}, [d]]', 'k:   value   # c', 'a:\n    b: 1\n    c:\n        - x\n        - y\nd: 2', 'a: b #c\n#d\n  #e\nf: g',
    '- name: x\n  tasks:\n  - a: 1\n  - b: 2\n  handlers:\n    - c: 3', 'a: 1\na: 2', 'yes: 1\ntrue: 2', '1: a\n1.0: b',
    'a: nbsp\u00a0', 'a: x\u00a0 # c', '- wide\u3000\n- b', 'a: [x\u00a0, y]', 'ü: 😀 x', '-\n  - a\n  - b: c',
  ]) {
    it(`reads ${JSON.stringify(text)} as the yaml package does`, () => {
      assert.equal(assertAgrees(text), 'same');
    });
  }

  for (const text of [
    'a: &x 1\nb: *x', 'a: !!str 1', '<<: { a: 1 }', 'a:\n  b\n  c', 'a: "multi\n  line"', 'a:\n', '- \n- a', 'a:\tb',
    'a: 1\n---\nb: 2', 'just a scalar', '? complex\n: key', 'a: b: c', '%YAML 1.1\n---\na: 1', 'a: [1,\n  2]',
  ]) {
    it(`leaves ${JSON.stringify(text)} to the full loader`, () => {
      assert.equal(fast(text), undefined);
    });
  }

  it('reports duplicate keys at the same places as the full loader, in block and flow mappings', () => {
    const text = '- name: t\n  command: echo 1\n  command: echo 2\n  m: { a: 1, b: 2, a: 3 }\n  n:\n    1: x\n    1.0: y';
    const fastDups: DuplicateKey[] = [];
    const fullDups: DuplicateKey[] = [];
    assert.notEqual(readCommonYaml(text, 'f.yaml', fastDups), undefined);
    loadYamlText(text, 'f.yaml', fullDups);
    const expected = [
      { name: 'command', pos: { file: 'f.yaml', line: 3, col: 3 } },
      { name: 'a', pos: { file: 'f.yaml', line: 4, col: 20 } },
      { name: '1.0', pos: { file: 'f.yaml', line: 7, col: 5 } },
    ];
    assert.deepEqual(fastDups, expected);
    assert.deepEqual(fullDups, expected);
  });

  it('does not count a key that overrides a merged one as a duplicate', () => {
    const dups: DuplicateKey[] = [];
    loadYamlText('base: &b { a: 1 }\nx:\n  <<: *b\n  a: 2', 'f.yaml', dups);
    assert.deepEqual(dups, []);
  });

  it('refuses YAML nested more than 100 levels, and aliases that expand past 100,000 nodes', () => {
    assert.throws(() => loadYamlText(`x: ${'['.repeat(101)}${']'.repeat(101)}`, 'f.yaml'), /1:\d+: YAML nested more than 100 levels deep/);
    assert.notEqual(loadYamlText(`x: ${'['.repeat(99)}${']'.repeat(99)}`, 'f.yaml'), null);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [i, n] of ['b', 'c', 'd', 'e', 'f'].entries()) laughs.push(`${n}: &${n} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`);
    assert.throws(() => loadYamlText(laughs.join('\n'), 'f.yaml'), /f\.yaml:\d+:\d+: YAML aliases expand to more than 100000 nodes/);
  });

  for (const [odd, least] of [[0.02, 1500], [0.3, 100]] as const) {
    it(`agrees with the full loader on generated documents (${odd * 100}% odd parts), or declines them`, function () {
      this.timeout(30_000); // the full loader reads 3,000 documents
      const counts = { same: 0, declined: 0 };
      for (let seed = 1; seed <= 3000; seed++) counts[assertAgrees(new Gen(seed, odd).document())]++;
      // Enough of them must be read for the comparison to mean something.
      assert.ok(counts.same >= least, JSON.stringify(counts));
    });
  }
});
