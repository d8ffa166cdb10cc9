import assert from 'node:assert/strict';
import { z } from 'zod';
import { loadInventory, type ConnectionSpec } from '../inventory/index.js';
import type { AnyModule } from '../modules/registry.js';
import { addHostModule } from '../modules/engine/add-host.js';
import { groupByModule } from '../modules/engine/group-by.js';
import { setFactModule } from '../modules/engine/set-fact.js';
import { EventBus, type PlayStartEvent, type RunEvent, type TaskItemEvent, type TaskResultEvent } from '../output/events.js';
import { Redactor } from '../output/redact.js';
import { loadPlaybooks } from '../playbook/index.js';
import type { Host, RunResult } from '../transport/host.js';
import { createRunContext, runPlaybooks } from './runner.js';
import { ALL_TAGS } from './tags.js';
import { splitPort } from './inventory-changes.js';
import { writeTree } from '../../test/support/file-tree.js';

interface Probe { host: string; value: unknown }
interface Ran { results: TaskResultEvent[]; items: TaskItemEvent[]; plays: string[][]; probes: Probe[]; specs: Map<string, ConnectionSpec>; redactor: Redactor; lines: string[] }

const INVENTORY = 'all:\n  children:\n    lab:\n      vars: { ansible_user: root }\n      hosts:\n        h1: { kind: x }\n        h2: { kind: x }\n        h3: { kind: y }\n';

function fakeHost(name: string): Host {
  return {
    name,
    connect: async () => undefined,
    run: async (): Promise<RunResult> => ({ rc: 0, stdout: '', stderr: '' }),
    readFile: async () => null,
    writeAtomic: async () => undefined,
    stat: async () => null,
    reconnect: async () => undefined,
    close: async () => undefined,
  } as unknown as Host;
}

/** Load `site.yaml` (and the other files) and run it with the real engine modules, a probe, and fake hosts. */
async function run(files: Record<string, string>, o: { check?: boolean; inventory?: string } = {}): Promise<Ran> {
  const tree = await writeTree({ 'package.json': '{}', 'inventory.yaml': INVENTORY, ...files });
  try {
    const probes: Probe[] = [];
    const probe: AnyModule = {
      name: 'probe',
      names: ['probe'],
      args: z.object({ value: z.unknown().optional() }).strict(),
      async run(host, args: never) {
        probes.push({ host: host.name, value: (args as { value?: unknown }).value });
        return { changed: false, msg: '' };
      },
    };
    const mods = new Map([probe, addHostModule, groupByModule, setFactModule].map((m) => [m.name, m]));
    const inventory = await loadInventory([tree.path(o.inventory ?? 'inventory.yaml')]);
    const loaded = await loadPlaybooks([tree.path('site.yaml')], {
      inventory, extraVars: [], lookupModule: (k) => mods.get(k.replace(/^ansible\.builtin\./, '')), moduleNames: () => [...mods.keys()],
    });
    const events: RunEvent[] = [];
    const bus = new EventBus();
    bus.subscribe((e) => events.push(e));
    const redactor = new Redactor();
    const specs = new Map<string, ConnectionSpec>();
    const ctx = await createRunContext({
      loaded, inventory, bus, redactor,
      options: { limit: undefined, tags: ALL_TAGS, check: o.check ?? false, diff: false, forks: 5, stepTimeoutMs: undefined },
      signal: new AbortController().signal,
      openHost: (spec) => {
        specs.set(spec.name, spec);
        return fakeHost(spec.name);
      },
      controlHost: () => fakeHost('localhost'),
      findModule: (name) => mods.get(name),
      sleep: async () => undefined,
    });
    await runPlaybooks(ctx);
    const results = events.filter((e): e is TaskResultEvent => e.event === 'task');
    return {
      results,
      items: events.filter((e): e is TaskItemEvent => e.event === 'task_item'),
      plays: events.filter((e): e is PlayStartEvent => e.event === 'play_start').map((e) => e.hosts),
      probes, specs, redactor,
      lines: results.map((e) => `${e.host} ${e.task}=${e.status}`),
    };
  } finally {
    await tree.remove();
  }
}

const play = (hosts: string, ...tasks: string[]): string[] => [`- hosts: ${hosts}`, '  gather_facts: false', '  tasks:', ...tasks.map((t) => `    - ${t}`)];
const site = (...lines: string[][]): string => `${lines.flat().join('\n')}\n`;

describe('add_host and group_by in a run', () => {
  it('runs add_host once for the play, and later plays reach the new host through its group', async () => {
    const r = await run({
      'site.yaml': site(
        play('all', '{ name: add, add_host: { name: "n1:2222", groups: "dyn, extra", ansible_host: 10.0.0.9, ansible_user: admin, marker: m1 }, register: added }',
          '{ name: seen, probe: { value: "{{ added.add_host }}" } }'),
        play('dyn:&extra', '{ name: there, probe: { value: "{{ inventory_hostname }} {{ hostvars[inventory_hostname].marker }} {{ groups.dyn }} {{ group_names }}" } }'),
      ),
    });
    assert.equal(r.results.filter((e) => e.task === 'add').length, 1, r.lines.join('\n'));
    assert.equal(r.results.find((e) => e.task === 'add')?.status, 'changed');
    // Every host of the play registered the one result, with the port split off as Ansible does.
    const request = { host_name: 'n1', groups: ['dyn', 'extra'], host_vars: { ansible_host: '10.0.0.9', ansible_user: 'admin', marker: 'm1', ansible_ssh_port: 2222 } };
    assert.deepEqual(r.probes.filter((p) => p.host !== 'n1').map((p) => p.value), [request, request, request]);
    assert.deepEqual(r.plays, [['h1', 'h2', 'h3'], ['n1']]);
    assert.deepEqual(r.probes.find((p) => p.host === 'n1')?.value, "n1 m1 ['n1'] ['dyn', 'extra']");
    const spec = r.specs.get('n1');
    assert.deepEqual([spec?.host, spec?.port, spec?.user], ['10.0.0.9', 2222, 'admin']);
  });

  it('adds each item\'s host with a loop, changed only where the inventory changed', async () => {
    const r = await run({
      'site.yaml': site(
        play('h1:h2', '{ name: add, add_host: { name: "{{ item }}", groups: [dyn], ansible_host: "{{ hostvars[item].ansible_host | default(\'10.0.0.1\') }}" }, loop: [a, b, a, h3] }'),
        play('dyn', '{ name: there, probe: {} }'),
      ),
    });
    assert.deepEqual(r.items.map((i) => `${i.host} ${i.item}=${i.status}`), ['h1 a=changed', 'h1 b=changed', 'h1 a=ok', 'h1 h3=changed']);
    assert.deepEqual(r.plays[1], ['a', 'b', 'h3']);
    assert.equal(r.results.find((e) => e.task === 'add')?.status, 'changed');
  });

  it('groups every host by a variable with group_by; later plays and groups see the groups', async () => {
    const r = await run({
      'site.yaml': site(
        play('all', '{ name: sort, group_by: { key: "kind_{{ kind }}", parents: kinds } }', '{ name: again, group_by: { key: "kind_{{ kind }}", parents: kinds } }'),
        play('kind_x', '{ name: there, probe: { value: "{{ group_names }} {{ groups.kinds }} {{ groups.kind_y }}" } }'),
      ),
    });
    assert.deepEqual(r.lines.filter((l) => l.includes('sort=')).sort(), ['h1 sort=changed', 'h2 sort=changed', 'h3 sort=changed']);
    assert.deepEqual(r.lines.filter((l) => l.includes('again=')).sort(), ['h1 again=ok', 'h2 again=ok', 'h3 again=ok']);
    assert.deepEqual(r.plays[1], ['h1', 'h2']);
    for (const p of r.probes) assert.equal(p.value, "['kind_x', 'kinds', 'lab'] ['h1', 'h2', 'h3'] ['h3']");
  });

  it('gives a new group the group_vars beside the playbook, from the next play on', async () => {
    const r = await run({
      'group_vars/kind_y.yaml': 'greeting: hello-y\n',
      'group_vars/dyn.yaml': 'greeting: hello-dyn\n',
      'site.yaml': site(
        play('all', '{ group_by: { key: "kind_{{ kind }}" } }', '{ add_host: { name: n1, groups: dyn } }'),
        play('kind_y:dyn', '{ name: there, probe: { value: "{{ greeting | default(\'none\') }}" } }'),
      ),
    });
    assert.deepEqual(r.probes.map((p) => `${p.host}=${String(p.value)}`).sort(), ['h3=hello-y', 'n1=hello-dyn']);
  });

  it('updates group_names, groups and the new group\'s variables at once, as Ansible reads them for every task', async () => {
    const r = await run({
      'group_vars/kind_y.yaml': 'greeting: hello-y\n',
      'site.yaml': site(
        play('h3', '{ group_by: { key: "kind_{{ kind }}" } }', '{ probe: { value: "{{ group_names }} {{ groups.kind_y }} {{ greeting | default(\'none\') }}" } }'),
        play('h3', '{ probe: { value: "{{ greeting }}" } }'),
      ),
    });
    assert.deepEqual(r.probes.map((p) => p.value), ["['kind_y', 'lab'] ['h3'] hello-y", 'hello-y']);
  });

  it('changes the inventory in check mode too', async () => {
    const r = await run({
      'site.yaml': site(play('all', '{ name: add, add_host: { name: n1, groups: dyn } }'), play('dyn', '{ name: there, probe: {} }')),
    }, { check: true });
    assert.equal(r.results.find((e) => e.task === 'add')?.status, 'changed');
    assert.deepEqual(r.plays[1], ['n1']);
  });

  it('lets changed_when have the last word, as Ansible re-evaluates it after the change', async () => {
    const r = await run({ 'site.yaml': site(play('h1', '{ name: add, add_host: { name: n1 }, changed_when: false }')) });
    assert.equal(r.results.find((e) => e.task === 'add')?.status, 'ok');
  });

  it('fails the task, adding nothing, when kvmplay could not connect with the host\'s settings', async () => {
    const r = await run({
      'site.yaml': site(play('h1', '{ name: add, add_host: { name: n1, groups: dyn, ansible_port: nope }, ignore_errors: true }'), play('dyn', '{ name: there, probe: {} }')),
    });
    const add = r.results.find((e) => e.task === 'add');
    assert.equal(add?.status, 'failed');
    assert.equal(add?.msg, 'add_host: host "n1": ansible_port must be a positive whole number, got "nope"');
    assert.deepEqual(r.plays.length, 2);
    assert.deepEqual(r.plays[1], []);
  });

  it('fails group_by when the group would be its own ancestor', async () => {
    const r = await run({ 'site.yaml': site(play('h1', '{ name: loop, group_by: { key: all } }')) });
    assert.equal(r.results[0]?.status, 'failed');
    assert.equal(r.results[0]?.msg, 'group_by: adding group "all" as a child of "all" creates a recursive dependency loop');
  });

  it('fails the task on a vars file of the new group that cannot be read, with its position', async () => {
    const r = await run({
      'inv/inventory.yaml': INVENTORY,
      'inv/group_vars/dyn.yaml': 'a: [\n',
      'site.yaml': site(play('h1', '{ name: add, add_host: { name: n1, groups: dyn } }')),
    }, { inventory: 'inv/inventory.yaml' });
    assert.equal(r.results[0]?.status, 'failed');
    assert.match(r.results[0]?.msg ?? '', /^add_host: \/.*\/inv\/group_vars\/dyn\.yaml:\d+:\d+: /);
  });

  it('masks the new host\'s passwords in all output', async () => {
    const r = await run({ 'site.yaml': site(play('h1', '{ add_host: { name: n1, ansible_password: "s3cret-pw-1", become_password: "s3cret-pw-2" } }')) });
    assert.equal(r.redactor.redact('a s3cret-pw-1 b s3cret-pw-2'), 'a ******** b ********');
  });

  it('splits name:port as parse_address does, leaving ranges and non-addresses whole', () => {
    assert.deepEqual(splitPort('db:2200', { a: 1 }), { name: 'db', vars: { a: 1, ansible_ssh_port: 2200 } });
    assert.deepEqual(splitPort('[fe80::1]:22', {}), { name: 'fe80::1', vars: { ansible_ssh_port: 22 } });
    assert.deepEqual(splitPort('fe80::1', {}), { name: 'fe80::1', vars: {} });
    assert.deepEqual(splitPort('web[1:3]:22', {}), { name: 'web[1:3]:22', vars: {} });
    assert.deepEqual(splitPort('not an address', {}), { name: 'not an address', vars: {} });
  });
});
