// Escaping by the quoting context around each `{{ x }}` (SPEC 5, issue 11 item 3):
// a table of (template, value, output or refusal) for every context, and a
// property test that evaluates rendered shell files with real shells.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTemplate, renderTemplate, type TemplateVars } from './render.js';
import { TemplateError } from './template-error.js';

type Case = [name: string, source: string, vars: TemplateVars, expected: string | RegExp];

function outcome(name: string, source: string, vars: TemplateVars): string | TemplateError {
  try {
    return renderTemplate(compileTemplate(source, { name }), vars);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
}

const HOSTILE = '$(touch /tmp/PWNED)';

const TABLE: Case[] = [
  // ifcfg: sourced by sh; values only as VAR=value (any quoting) or in comments.
  ['ifcfg-x', 'X={{x}}', { x: 'a b' }, "X='a b'"],
  ['ifcfg-x', 'X={{x}}', { x: HOSTILE }, `X='${HOSTILE}'`],
  ['ifcfg-x', 'X={{x}}', { x: "it's" }, "X='it'\\''s'"],
  ['ifcfg-x', 'X={{x}}', { x: '192.0.2.1' }, 'X=192.0.2.1'],
  ['ifcfg-x', 'X="{{x}}"', { x: HOSTILE }, 'X="\\$(touch /tmp/PWNED)"'],
  ['ifcfg-x', 'X="{{x}}"', { x: 'a"; touch /tmp/PWNED; "' }, 'X="a\\"; touch /tmp/PWNED; \\""'],
  ['ifcfg-x', 'X="{{x}}"', { x: '`id` \\ $HOME' }, 'X="\\`id\\` \\\\ \\$HOME"'],
  ['ifcfg-x', 'X="{{x}}"', { x: "it's ü✓" }, `X="it's ü✓"`],
  ['ifcfg-x', "X='{{x}}'", { x: "a'b" }, "X='a'\\''b'"],
  ['ifcfg-x', "X='{{x}}'", { x: '$HOME `id` "q" \\' }, "X='$HOME `id` \"q\" \\'"],
  ['ifcfg-x', 'X="pre {{x}} post"', { x: '"' }, 'X="pre \\" post"'],
  ['ifcfg-x', '# bridge {{x}}\nX=1', { x: 'a;b $(c) "d\'' }, '# bridge a;b $(c) "d\'\nX=1'],
  ['ifcfg-x', '{{k}}={{v}}', { k: 'DNS1', v: '192.0.2.1' }, 'DNS1=192.0.2.1'],
  ['ifcfg-x', '{{k}}=1', { k: 'A;touch /tmp/PWNED;B' }, /ifcfg-x:1:1: variable "k" .*variable name/],
  ['ifcfg-x', '{{k}}', { k: 'reboot' }, /variable "k" .*run as a command/],
  ['ifcfg-x', 'X=1 {{x}}', { x: 'reboot' }, /variable "x" .*VAR=value/],
  ['ifcfg-x', 'X="{{x}}"', { x: 'a\nB=2' }, /ifcfg-x:1:4: variable "x" contains a newline/],
  ['ifcfg-x', "X='{{x}}'", { x: 'a\rb' }, /carriage return/],
  ['ifcfg-x', 'X="\\\\{{x}}"', { x: '"' }, /backslash/],
  ['ifcfg-x', 'X="${{x}}"', { x: 'HOME' }, /\$/],
  ['ifcfg-x', 'X=$(echo {{x}})', { x: 'a' }, /command substitution/],
  ['ifcfg-x', 'X="{{{x}}}"', { x: '$(id)' }, 'X="$(id)"'],
  ['ifcfg-x', 'A="{{{x}}}"\nB={{y}}"', { x: 'q"r', y: '$(id)' }, 'A="q"r"\nB=\\$(id)"'],
  // shell scripts: any word position, but not where quoting cannot be tracked.
  ['run.sh', 'echo {{x}}', { x: 'a b' }, "echo 'a b'"],
  ['run.sh', 'echo "{{x}}"', { x: '"$(id)"' }, 'echo "\\"\\$(id)\\""'],
  ['run.sh', "echo '{{x}}'", { x: "'; id; '" }, "echo ''\\''; id; '\\'''"],
  ['run.sh', 'echo "$(printf %s {{x}})"', { x: 'a b' }, `echo "$(printf %s 'a b')"`],
  ['run.sh', 'echo "$(printf %s "{{x}}")"', { x: '`id`' }, 'echo "$(printf %s "\\`id\\`")"'],
  ['run.sh', 'echo `echo {{x}}`', { x: 'a' }, /backquote/],
  ['run.sh', 'echo ${X:-{{x}} }', { x: 'a' }, /\$\{/],
  ['run.sh', "echo $'{{x}}'", { x: 'a' }, /\$'/],
  ['run.sh', 'cat <<EOF\n{{x}}\nEOF', { x: 'a' }, /here-document/],
  ['run.sh', 'cat <<EOF\nx\nEOF\necho {{x}}', { x: 'a b' }, "cat <<EOF\nx\nEOF\necho 'a b'"],
  ['run.sh', 'echo a # {{x}}', { x: '$(id) \'"' }, 'echo a # $(id) \'"'],
  ['run.sh', 'echo a#{{x}}', { x: 'b c' }, "echo a#'b c'"],
  ['run.sh', 'X="$(echo a#b)" Y={{x}}', { x: '$(id)' }, `X="$(echo a#b)" Y='$(id)'`],
  ['run.sh', 'X=$(echo "a)" {{x}})', { x: '$(id)' }, `X=$(echo "a)" '$(id)')`],
  ['run.sh', 'X="$(case a in a) echo x;; esac)" Y="{{x}}"', { x: ';id' }, /case/],
  ['run.sh', '(( n = {{x}} ))', { x: '1' }, /\$\(\(/],
  ['run.sh', '( (echo {{x}}) )', { x: 'a b' }, "( (echo 'a b') )"],
  // ifupdown: command lines take plain words only; option values plain words.
  ['interfaces', '    up ip link set {{x}} up', { x: 'em1' }, '    up ip link set em1 up'],
  ['interfaces', '    up ip link set {{x}} up', { x: 'em1;reboot' }, /interfaces:1:20: variable "x" .*plain word/],
  ['interfaces', '    pre-up echo "{{x}}"', { x: HOSTILE }, /plain word/],
  ['interfaces', "    post-up echo '{{x}}'", { x: "a'b" }, /plain word/],
  ['interfaces', '    up echo {{x}}', { x: 'a b' }, /plain word/],
  ['interfaces', '    up echo {{x}}', { x: '%iface%' }, /plain word/],
  ['interfaces', '    up echo ${{x}}', { x: 'HOME' }, /\$/],
  ['interfaces', '    address {{x}}', { x: '192.0.2.1/24' }, '    address 192.0.2.1/24'],
  ['interfaces', '    bridge_ports {{x}}', { x: 'em1 em2' }, '    bridge_ports em1 em2'],
  ['interfaces', '    address {{x}}', { x: '192.0.2.1;reboot' }, /variable "x" .*\/bin\/sh/],
  ['interfaces', '    {{k}} {{v}}', { k: 'up', v: 'reboot' }, /variable "k" .*command/],
  ['interfaces', '# bridge {{x}}', { x: 'a;b $(c)' }, '# bridge a;b $(c)'],
  ['interfaces', '# bridge {{x}}\nauto br0', { x: 'a\\' }, /backslash/],
  ['interfaces', 'auto {{x}}', { x: 'br0\nup reboot' }, /newline/],
  ['interfaces', 'iface {{x}} inet manual', { x: 'em1 inet dhcp' }, /one plain word/],
  ['interfaces', 'iface {{x}} inet manual', { x: 'em1.10' }, 'iface em1.10 inet manual'],
  ['interfaces', '    pre-{{x}} reboot', { x: 'up' }, /variable "x" .*command/],
  // JSON: string escaping inside "…", a JSON literal outside.
  ['data.json', '{"a": "{{x}}"}', { x: 'q"b\\s\n</x>' }, '{"a": "q\\"b\\\\s\\n</x>"}'],
  ['data.json', '{"a": {{x}} }', { x: 'q"b' }, '{"a": "q\\"b" }'],
  ['data.json', '{"a": {{x}}, "b": {{y}}, "c": {{z}} }', { x: 5, y: true, z: null }, '{"a": 5, "b": true, "c": null }'],
  ['data.json', '{"a": {{x}} }', { x: [1, 'a', { b: '"' }] }, '{"a": [1,"a",{"b":"\\""}] }'],
  ['data.json', '{"a": {{json x}} }', { x: [1, 'a'] }, '{"a": [1,"a"] }'],
  ['data.json', '{"a": "{{json x}}"}', { x: [1, 'a'] }, '{"a": "[1,\\"a\\"]"}'],
  ['data.json', '{"a": "\\\\{{x}}"}', { x: 'u' }, /backslash/],
  ['data.json', '{"a": {{{x}}} }', { x: '[1]' }, '{"a": [1] }'],
  // Other formats are unchanged: XML escapes, text writes as is.
  ['a.xml', '<a b="{{x}}">{{x}}</a>', { x: `"'<&` }, '<a b="&quot;&apos;&lt;&amp;">&quot;&apos;&lt;&amp;</a>'],
  ['a.conf', 'X="{{x}}"', { x: '"$(id)"' }, 'X=""$(id)""'],
];

describe('escaping by quoting context', () => {
  for (const [name, source, vars, expected] of TABLE) {
    const shown = `${JSON.stringify(source)} with ${JSON.stringify(vars)} in ${name}`;
    if (typeof expected === 'string') {
      it(`writes ${shown} as ${JSON.stringify(expected)}`, () => {
        const out = outcome(name, source, vars);
        assert.equal(out instanceof TemplateError ? out.message : out, expected);
      });
    } else {
      it(`refuses ${shown} with a TemplateError matching ${String(expected)}`, () => {
        const out = outcome(name, source, vars);
        assert.ok(out instanceof TemplateError, `rendered instead: ${String(out)}`);
        assert.match(out.message, expected);
        assert.equal(out.template, name);
        assert.ok(out.line !== undefined, 'the error names a line');
      });
    }
  }
});

// Random strings over an alphabet of everything a shell treats specially, plus
// text and unicode; some are whole hostile payloads.
const ALPHABET = ['a', 'Z', '0', ' ', '\t', '$', '(', ')', '`', '"', "'", '\\', ';', '&', '|', '<', '>', '*', '?', '[', ']', '{', '}', '~', '#', '=', '!', '%', '-', ':', '/', '.', 'ü', '✓', '\n'];

function randomStrings(count: number, seed: number): string[] {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = next(14);
    let s = '';
    for (let j = 0; j < length; j++) s += ALPHABET[next(ALPHABET.length)] ?? '';
    out.push(s);
  }
  return out;
}

describe('shell contexts evaluated by real shells', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'kvmplay-quoting-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'PWNED');
  const values = [
    ...randomStrings(400, 7),
    `$(touch ${marker})`, `\`touch ${marker}\``, `"; touch ${marker}; "`, `'; touch ${marker}; '`,
    `\\"$(touch ${marker})\\"`, '$HOME', '${HOME}', 'a\\', '\\', '', ' ', '-n', '!$', 'ü ✓',
  ];
  const contexts: Array<[string, string]> = [
    ['ifcfg-x', 'X={{x}}'], ['ifcfg-x', 'X="{{x}}"'], ['ifcfg-x', "X='{{x}}'"], ['ifcfg-x', 'X="pre{{x}}post"'],
    ['run.sh', 'X=$(printf %s {{x}}; printf .)'], ['run.sh', 'X="$(printf %s "{{x}}"; printf .)"'],
  ];
  for (const shell of ['sh', 'bash', 'dash']) {
    for (const [name, source] of contexts) {
      it(`gives back exactly each random value, or refuses a newline, for ${source} sourced by ${shell}`, () => {
        const rendered: string[] = [];
        const expected: string[] = [];
        for (const value of values) {
          const out = outcome(name, source, { x: value });
          if (out instanceof TemplateError) {
            assert.match(value, /\n/, `refused ${JSON.stringify(value)}: ${out.message}`);
            continue;
          }
          rendered.push(`${out}\nprintf '%s\\0' "$X"`);
          expected.push(source.includes('pre') ? `pre${value}post` : source.includes('printf .') ? `${value}.` : value);
        }
        const r = spawnSync(shell, ['-c', rendered.join('\n')], { encoding: 'utf8', cwd: dir });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\0').slice(0, -1), expected);
        assert.equal(existsSync(marker), false, 'a command in a value was executed');
      });
    }
  }
});

// Random templates made of shell syntax around `{{x}}`: whatever the lexer makes of
// them, a hostile value is refused or runs nothing when sh reads the result.
describe('random shell templates with hostile values', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'kvmplay-quoting-fuzz-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'PWNED');
  // Balanced pieces, so that most results parse and sh gets to run them.
  const PIECES = [
    'X=', 'echo ', ' ', ';', '\n', 'a', '{{x}}', '"{{x}}"', "'{{x}}'", '"a{{x}}b"', "'a'\"{{x}}\"", '$(echo {{x}})', '"$(echo {{x}})"',
    '"$(echo "{{x}}")"', '`echo {{x}}`', '"`echo {{x}}`"', '${X:-{{x}}}', '"${X:-{{x}}}"', "$'{{x}}'", '\\\\{{x}}', '"\\\\{{x}}"',
    '${{x}}', '"${{x}}"', '# {{x}}\n', 'a#{{x}}', '<<E\n{{x}}\nE\n', '<<\'E\'\n{{x}}\nE\n', '(({{x}}))', '$(({{x}}))', '"$(( {{x}} ))"',
    '$(case a in a) echo {{x}};; esac)', '"$(case a in a) echo "{{x}}";; esac)"', '( {{x}} )',
  ];
  const VALUES = [`$(touch ${marker})`, `\`touch ${marker}\``, `;touch ${marker};`, `'; touch ${marker}; '`, `"; touch ${marker}; "`, `)touch ${marker}(`];

  for (const name of ['run.sh', 'ifcfg-x']) {
    it(`never runs a value in 300 random ${name} templates read by sh and bash`, () => {
      let state = name.length;
      const next = (n: number): number => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state % n;
      };
      let ran = 0;
      for (let t = 0; t < 300; t++) {
        const source = Array.from({ length: 2 + next(8) }, () => PIECES[next(PIECES.length)] ?? '').join('');
        for (const value of VALUES) {
          const out = outcome(name, source, { x: value });
          if (out instanceof TemplateError) continue;
          for (const shell of ['sh', 'bash']) {
            spawnSync(shell, ['-c', out], { cwd: dir, stdio: 'ignore', timeout: 5000 });
            assert.equal(existsSync(marker), false, `${shell}: ${JSON.stringify(source)} with ${JSON.stringify(value)} ran it:\n${out}`);
          }
          ran++;
        }
      }
      assert.ok(ran > 50, `only ${ran} renderings were not refused`);
    });
  }
});
