import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Handlebars from 'handlebars';
import { macFromSeed } from './helpers/mac.js';
import { compileTemplate, renderTemplate, type TemplateVars } from './render.js';
import { TemplateError } from './template-error.js';

function render(source: string, vars: TemplateVars, name = 'templates/test.txt.hbs'): string {
  return renderTemplate(compileTemplate(source, { name }), vars);
}

function renderError(source: string, vars: TemplateVars, name = 'templates/test.txt.hbs'): TemplateError {
  try {
    render(source, vars, name);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `expected a TemplateError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the template to fail');
}

describe('strict templates', () => {
  it('names the template, line, column and variable when a variable is missing', () => {
    const e = renderError('NAME=br0\nIPADDR={{ br0_ip }}\n', {}, 'templates/ifcfg-bridge.hbs');
    assert.equal(e.template, 'templates/ifcfg-bridge.hbs');
    assert.equal(e.line, 2);
    assert.equal(e.col, 11);
    assert.equal(e.variable, 'br0_ip');
    assert.equal(e.message, 'templates/ifcfg-bridge.hbs:2:11: variable "br0_ip" is not defined');
  });

  it('names the whole path when an object on the way is missing', () => {
    const e = renderError('<memory>{{kib vm.memory}}</memory>', { vm: {} }, 'domain.xml.hbs');
    assert.equal(e.variable, 'vm.memory');
    assert.match(e.message, /^domain\.xml\.hbs:1:15: variable "vm\.memory" is not defined$/);
    assert.equal(renderError('{{a.b.c}}', {}).variable, 'a.b.c');
  });

  it('words the position when the template is labelled by a YAML position', () => {
    const e = renderError('x {{y}}', {}, 'playbooks/site.yaml:12:7 (task args)');
    assert.equal(e.message, 'playbooks/site.yaml:12:7 (task args), line 1, column 5: variable "y" is not defined');
  });

  it('catches a typo behind a block param, which Handlebars strict mode would print as empty', () => {
    const e = renderError('{{#each vms as |vm|}}\n  {{vm.nmae}}\n{{/each}}', { vms: [{ name: 'web01' }] });
    assert.equal(e.variable, 'vm.nmae');
    assert.equal(e.line, 2);
  });

  it('catches a missing helper argument, which Handlebars strict mode would pass as undefined', () => {
    assert.equal(renderError('{{mac inventory_hostname vm.name}}', { inventory_hostname: 'hv01', vm: {} }).variable, 'vm.name');
  });

  it('refuses to loop over a missing list or a scalar', () => {
    assert.equal(renderError('{{#each vms}}x{{/each}}', {}).variable, 'vms');
    assert.match(renderError('{{#each vms}}x{{/each}}', { vms: 'web01' }).message, /#each: "vms" is a string, not a list or a map/);
  });

  it('says how to reach a top-level variable from inside #each', () => {
    const e = renderError('{{#each vms as |vm|}}{{inventory_hostname}}{{/each}}', { vms: [1], inventory_hostname: 'hv01' });
    assert.match(e.message, /write @root\.inventory_hostname/);
    assert.equal(render('{{#each vms as |vm|}}{{@root.inventory_hostname}}/{{vm}} {{/each}}', { vms: [1, 2], inventory_hostname: 'hv01' }), 'hv01/1 hv01/2 ');
  });

  it('lets default fall back for a missing variable, even a nested one', () => {
    assert.equal(render("{{default x 'y'}}", {}), 'y');
    assert.equal(render("{{default vm.mac 'none'}}", {}), 'none');
    assert.equal(render("{{default vm.mac 'none'}}", { vm: { mac: '52:54:00:00:00:01' } }), '52:54:00:00:00:01');
  });

  it('still requires the fallback of default to exist', () => {
    assert.equal(renderError('{{default x y}}', {}).variable, 'y');
  });

  it('treats a missing value in #if, #unless and comparisons as false', () => {
    assert.equal(render('{{#if vm.cdrom.path}}cd{{else}}none{{/if}}', { vm: {} }), 'none');
    assert.equal(render('{{#unless vm.autostart}}manual{{/unless}}', {}), 'manual');
    assert.equal(render("{{#if (eq vm.state 'running')}}up{{else}}down{{/if}}", {}), 'down');
    assert.equal(render("{{#if (and vm.autostart (ne vm.state 'shutdown'))}}y{{else}}n{{/if}}", { vm: { autostart: true } }), 'y');
    assert.equal(render('{{#if (not vm.cdrom)}}no cdrom{{/if}}', { vm: {} }), 'no cdrom');
  });

  it('supports else-if chains and includeZero', () => {
    assert.equal(render('{{#if a}}A{{else if b}}B{{else}}C{{/if}}', { b: 1 }), 'B');
    assert.equal(render('{{#if n includeZero=true}}zero{{/if}}', { n: 0 }), 'zero');
  });

  it('refuses null, lists and maps where a value is written', () => {
    assert.match(renderError('{{x}}', { x: null }).message, /variable "x" is null/);
    assert.match(renderError('{{x}}', { x: ['a'] }).message, /is a list/);
    assert.match(renderError('{{x}}', { x: { a: 1 } }).message, /is a map/);
    assert.equal(render("{{default x ''}}", { x: null }), '');
  });

  it('reads only own properties of the variables', () => {
    assert.equal(renderError('{{constructor}}', {}).variable, 'constructor');
    assert.equal(renderError('{{x.__proto__}}', { x: {} }).variable, 'x.__proto__');
  });

  it('gives a helper failure the position of the call', () => {
    const e = renderError('a\n  <memory>{{kib vm.memory}}</memory>', { vm: { memory: '2GB' } });
    assert.equal(e.line, 2);
    assert.equal(e.col, 11);
    assert.match(e.message, /kib: ambiguous size "2GB"/);
  });

  it('registers nothing in the global Handlebars environment', () => {
    render('{{kib x}}', { x: '1M' });
    assert.equal(Object.prototype.hasOwnProperty.call(Handlebars.helpers, 'kib'), false);
    assert.equal(Object.keys(Handlebars.helpers).some((h) => h.startsWith('__kv')), false);
  });
});

describe('compile errors', () => {
  function compileError(source: string): TemplateError {
    try {
      compileTemplate(source, { name: 'templates/t.hbs' });
    } catch (e) {
      assert.ok(e instanceof TemplateError, String(e));
      return e;
    }
    assert.fail('expected a compile error');
  }

  it('reports the line and column of a syntax error', () => {
    const e = compileError('<domain>\n  <name>{{vm.name}</name>\n</domain>');
    assert.equal(e.line, 2);
    assert.equal(e.col, 18); // the lone }
    assert.match(e.message, /^templates\/t\.hbs:2:18: template syntax error/);
  });

  it('reports a template that ends inside an open block', () => {
    const e = compileError('a\n{{#if x}}\nb');
    assert.match(e.detail, /ends inside \{\{ \}\} or an open \{\{#block\}\}/);
  });

  it('reports a block closed by the wrong name where it was opened', () => {
    const e = compileError('a\n{{#if x}}\n{{/each}}');
    assert.equal(e.line, 2);
    assert.match(e.detail, /if doesn't match each/);
  });

  it('refuses unknown helpers, unknown block helpers, partials and wrong argument counts', () => {
    assert.match(compileError('{{frobnicate x}}').detail, /unknown helper "frobnicate"/);
    assert.match(compileError('{{#frob x}}{{/frob}}').detail, /unknown block helper "#frob"/);
    assert.match(compileError('{{> header}}').detail, /partials/);
    assert.match(compileError('{{default x}}').detail, /default takes 2 arguments, got 1/);
    assert.match(compileError('{{json x bogus=1}}').detail, /no named argument "bogus"/);
    assert.match(compileError('{{#each}}{{/each}}').detail, /#each takes exactly one argument/);
  });
});

describe('escaping by format', () => {
  const awkward = `a&b<c>"d'e`;

  it('escapes & < > " \' in .xml templates, in text and in attributes', () => {
    const out = render(`<name a='{{x}}'>{{x}}</name>`, { x: awkward }, 'templates/domain.xml.hbs');
    assert.equal(out, "<name a='a&amp;b&lt;c&gt;&quot;d&apos;e'>a&amp;b&lt;c&gt;&quot;d&apos;e</name>");
  });

  it('does not escape twice what the xml helper escaped', () => {
    assert.equal(render('<a>{{xml x}}</a>', { x: '&' }, 'a.xml'), '<a>&amp;</a>');
    assert.equal(render('<a>{{xml x}}</a>', { x: '&' }, 'a.txt'), '<a>&amp;</a>');
  });

  it('quotes ifcfg values so that sh reads back exactly the value', () => {
    const values = { name: 'br0', desc: 'my bridge', quote: "it's", subst: '$(echo pwned) `id`', semi: 'a;b', empty: '' };
    const out = render(
      'DEVICE={{name}}\nNAME={{desc}}\nQ={{quote}}\nS={{subst}}\nT={{semi}}\nE={{empty}}\n',
      values,
      'templates/ifcfg-bridge.hbs',
    );
    assert.match(out, /^DEVICE=br0$/m);
    assert.match(out, /^NAME='my bridge'$/m);
    const sh = spawnSync('sh', ['-c', `${out}\nprintf '%s\\0' "$DEVICE" "$NAME" "$Q" "$S" "$T" "$E"`], { encoding: 'utf8' });
    assert.equal(sh.status, 0, sh.stderr);
    assert.deepEqual(sh.stdout.split('\0').slice(0, -1), Object.values(values));
  });

  it('refuses a newline in an ifcfg value and names the variable', () => {
    const e = renderError('IPADDR={{ip}}\n', { ip: '192.0.2.1\nONBOOT=no' }, 'ifcfg-br0');
    assert.equal(e.variable, 'ip');
    assert.match(e.message, /^ifcfg-br0:1:8: variable "ip" contains a newline/);
  });

  it('escapes nothing in text templates: no HTML escaping by accident', () => {
    const s = `x='1' && y="2" \`z\` <a> = &amp;`;
    assert.equal(render('{{v}}', { v: s }, 'libvirtd.conf'), s);
  });

  it('escapes JSON strings in .json templates, and nothing for HTML', () => {
    const s = `x='1' && y="2" \`z\` <a> = &amp;`;
    assert.equal(JSON.parse(render('{"v": "{{v}}", "w": {{v}} }', { v: s }, 'data.json.hbs')).w, s);
    assert.equal(render('"{{v}}"', { v: s }, 'data.json.hbs'), JSON.stringify(s));
  });

  it('writes {{{ }}} raw in every format', () => {
    assert.equal(render('{{{x}}}', { x: '<a/>' }, 'a.xml'), '<a/>');
    assert.equal(render('X={{{x}}}', { x: 'a b' }, 'ifcfg-x'), 'X=a b');
    assert.equal(renderError('{{{x}}}', {}, 'a.xml').variable, 'x');
  });

  it('keeps standalone block lines out of the output', () => {
    const source = 'a\n{{#each ports}}\nBRIDGE_PORT={{this}}\n{{/each}}\nb\n';
    assert.equal(render(source, { ports: ['em1', 'em2'] }, 'ifcfg-br0'), 'a\nBRIDGE_PORT=em1\nBRIDGE_PORT=em2\nb\n');
  });
});

describe('helpers in templates', () => {
  const vars = { inventory_hostname: 'hv01', vm: { name: 'web01', memory: '2GiB', disks: [{ bus: 'virtio' }] }, x: "it's" };

  it('renders every helper', () => {
    const source = [
      '{{kib vm.memory}}',
      '{{mac inventory_hostname vm.name 0}}',
      '{{uuid inventory_hostname vm.name}}',
      '{{json vm.disks}}',
      '{{json vm.disks indent=1}}',
      '{{shq x}}',
      '{{xml x}}',
      "{{default vm.cdrom 'none'}}",
      "{{#if (eq vm.name 'web01')}}eq{{/if}} {{#if (ne vm.name 'web01')}}ne{{/if}}",
      "{{#if (or (and vm.name vm.x) (not vm.x))}}logic{{/if}}",
      "{{lookup vm 'name'}}",
    ].join('\n');
    assert.deepEqual(render(source, vars).split('\n'), [
      '2097152',
      '52:54:00:26:f1:7e',
      '5b94230b-457f-5efb-8543-bd54f72e4074',
      '[{"bus":"virtio"}]',
      '[', ' {', '  "bus": "virtio"', ' }', ']',
      "'it'\\''s'",
      'it&apos;s',
      'none',
      'eq ',
      'logic',
      'web01',
    ]);
  });

  it('lets #each give the index to mac for one stable address per interface', () => {
    const out = render('{{#each nics as |nic i|}}{{mac @root.inventory_hostname @root.vm.name i}} {{/each}}', { ...vars, nics: [{}, {}] });
    assert.equal(out, `${macFromSeed('hv01/web01/0')} ${macFromSeed('hv01/web01/1')} `);
  });
});
