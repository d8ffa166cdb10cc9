// A task's module: which key of the task it is, and its arguments. The module is
// the one key that is not a task keyword; its value is a map of arguments, a
// free-form string (`shell: "echo ok > f"`, for modules that name a freeForm
// argument), `key=value` pairs (`file: path=/tmp/x state=touch`), or nothing
// (`ping:`). The task's `args:` map is merged underneath: the module key's own
// arguments win, as in Ansible's ModArgsParser.
import type { SourcePosition } from '../errors.js';
import { setKey, UnsafeText, VaultText } from '../data/py-values.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';
import type { AnyModule } from '../modules/registry.js';
import { isKeyValueForm, parseKeyValues } from './kv.js';
import { TASK_KEYWORDS } from './keywords.js';
import { checkModuleArgs } from './module-args.js';
import { positionAt } from './position.js';
import type { Problems } from './problems.js';
import { describeValue, didYouMean } from './suggest.js';

/** Finds a module by task key (`copy`, `ansible.builtin.copy`). */
export type ModuleLookup = (key: string) => AnyModule | undefined;

export interface ModuleChoice {
  module: AnyModule;
  entry: PEntry;
}

// Ansible modules a playbook may name, and the kvmplay module that does that job.
const ANSIBLE_ALTERNATIVES: Readonly<Record<string, string>> = {
  apt: 'package', yum: 'package', dnf: 'package', systemd: 'service', systemd_service: 'service',
  sysvinit: 'service', virt: 'libvirt_domain', 'community.libvirt.virt': 'libvirt_domain',
  virt_net: 'libvirt_network', 'community.libvirt.virt_net': 'libvirt_network', raw: 'command',
};

function suggestModule(key: string, names: readonly string[]): string {
  const alternative = ANSIBLE_ALTERNATIVES[key.replace(/^ansible\.builtin\./, '')];
  if (alternative && names.includes(alternative)) return ` (kvmplay's module for this is "${alternative}")`;
  return didYouMean(key, names);
}

const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four'];

/**
 * The task's one module among the keys that are not keywords, or undefined (problems
 * recorded). `names` null: something else already stands for the module (`block:`).
 */
export function chooseModule(task: PNode, candidates: readonly PEntry[], lookup: ModuleLookup, names: readonly string[] | null, problems: Problems): ModuleChoice | undefined {
  const found = candidates.map((entry) => ({ entry, module: lookup(entry.name) }));
  const known = found.filter((f): f is ModuleChoice => f.module !== undefined);
  let moduleLike = known.length;
  for (const { entry, module } of found) {
    if (module) continue;
    const keyword = didYouMean(entry.name, TASK_KEYWORDS);
    if (keyword) {
      problems.add(entry.keyPos, `unknown task keyword "${entry.name}"${keyword}`);
    } else if (known.length > 0) {
      problems.add(entry.keyPos, `unknown task keyword "${entry.name}"`);
    } else {
      problems.add(entry.keyPos, `unknown module "${entry.name}"${suggestModule(entry.name, names ?? [])}`);
      moduleLike++;
    }
  }
  if (known.length > 1) {
    const count = COUNT_WORDS[known.length] ?? String(known.length);
    const list = known.map((k) => k.entry.name);
    problems.add(known[1]!.entry.keyPos, `task has ${count} modules: ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]} (a task runs one module)`);
    return undefined;
  }
  if (moduleLike === 0 && names !== null) {
    const some = names.length ? ` (one of: ${names.join(', ')})` : '';
    problems.add(task.pos, `task has no module${some}`);
  }
  return known[0];
}

/** The merged raw arguments and where each one was written. */
export interface TaskArgs {
  args: Record<string, unknown>;
  /** Key position of each argument (a free-form string: the string's). */
  keyPos: Map<string, SourcePosition>;
  /** The YAML node of each argument's value (for positions inside it). */
  valueNode: Map<string, PNode>;
  ok: boolean;
}

export function collectArgs(choice: ModuleChoice, argsNode: PNode | undefined, problems: Problems): TaskArgs {
  const out: TaskArgs = { args: {}, keyPos: new Map(), valueNode: new Map(), ok: true };
  const put = (key: string, value: unknown, keyPos: SourcePosition, node: PNode): void => {
    setKey(out.args, key, value);
    out.keyPos.set(key, keyPos);
    out.valueNode.set(key, node);
  };
  if (argsNode && argsNode.kind === 'map') for (const e of argsNode.entries) put(e.name, toValue(e.value), e.keyPos, e.value);
  const { module, entry } = choice;
  const v = entry.value;
  if (v.kind === 'map') {
    for (const e of v.entries) put(e.name, toValue(e.value), e.keyPos, e.value);
  } else if (v.kind === 'scalar' && typeof v.value === 'string') {
    // `include_vars: file=x name=y`: Ansible splits key=value pairs for every module but
    // the command-like ones, whose free form is the command line itself.
    if (module.freeForm && (RAW_COMMAND_MODULES.has(module.name) || !isKeyValueForm(v.value))) {
      put(module.freeForm, v.value, v.pos, v);
    } else if (isKeyValueForm(v.value)) {
      for (const [k, x] of Object.entries(parseKeyValues(v.value).pairs)) put(k, x, v.pos, v);
    } else {
      problems.add(v.pos, `${module.name} takes a map of arguments (or key=value pairs), not a string`);
      out.ok = false;
    }
  } else if (!(v.kind === 'scalar' && v.value === null)) {
    problems.add(v.pos, `${module.name} takes a map of arguments, not ${describeValue(toValue(v))}`);
    out.ok = false;
  }
  for (const [key, node] of out.valueNode) {
    const bad = findMarked(node);
    if (bad) {
      problems.add(bad.pos, `argument "${key}": ${bad.tag} values are not supported in task arguments`);
      out.ok = false;
    }
  }
  return out;
}

// Modules whose free-form string is a command line, never key=value pairs (Ansible's FREEFORM_ACTIONS).
const RAW_COMMAND_MODULES: ReadonlySet<string> = new Set(['command', 'shell', 'virsh']);

/** Validate the merged arguments with the module's schema; problems placed on the YAML. */
export function checkArgs(choice: ModuleChoice, a: TaskArgs, problems: Problems): void {
  for (const issue of checkModuleArgs(choice.module, a.args)) {
    const [first, ...rest] = issue.path;
    const key = first === undefined ? undefined : String(first);
    let pos: SourcePosition = choice.entry.keyPos;
    if (key !== undefined && a.keyPos.has(key)) {
      pos = issue.atKey && rest.length === 0 ? a.keyPos.get(key)! : positionAt(a.valueNode.get(key)!, rest, issue.atKey);
    }
    problems.add(pos, issue.message);
  }
}

// `!unsafe` and `!vault` values: the runner renders arguments as plain data.
function findMarked(node: PNode): { pos: SourcePosition; tag: string } | undefined {
  if (node.kind === 'scalar') {
    if (node.value instanceof UnsafeText) return { pos: node.pos, tag: '!unsafe' };
    if (node.value instanceof VaultText) return { pos: node.pos, tag: '!vault' };
    return undefined;
  }
  if (node.unsafe) return { pos: node.pos, tag: '!unsafe' };
  const children = node.kind === 'seq' ? node.items : node.entries.map((e) => e.value);
  for (const c of children) {
    const found = findMarked(c);
    if (found) return found;
  }
  return undefined;
}
