// `add_host` (ansible.builtin.add_host): a host, its groups and variables for the rest
// of the run (plugins/action/add_host.py). The module only shapes the request — name,
// groups, every other argument a host variable — and returns it as Ansible does,
// `add_host: {host_name, groups, host_vars}`; the engine changes the inventory
// (exec/inventory-changes.ts: it splits a `name:port`, decides `changed`) and runs the
// task once, not per host (Ansible's BYPASS_HOST_LOOP). Decided on the control
// machine; the same in check mode.
import { z } from 'zod';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

export interface AddHostRequest {
  /** As given: `name:port` is split by the engine, which owns address parsing. */
  host_name: string;
  groups: string[];
  host_vars: Record<string, unknown>;
}

const NAME = ['name', 'hostname', 'host'] as const;
const GROUPS = ['groups', 'groupname', 'group'] as const;
const SPECIAL: ReadonlySet<string> = new Set([...NAME, ...GROUPS]);

type Issues = Array<{ path: string[]; message: string }>;

/** Which of `keys` are given; more than one is refused (they are one argument). */
function pick(a: Record<string, unknown>, keys: readonly string[], issues: Issues): [string, unknown] | undefined {
  const given = keys.filter((k) => a[k] !== undefined);
  if (given.length > 1) issues.push({ path: [given[1]!], message: `${given.join(' and ')} are the same argument: give only one of them` });
  const k = given[0];
  return k === undefined ? undefined : [k, a[k]];
}

/** Ansible's groups: a list, or names separated by commas; each stripped, each once. */
function groupList(key: string, v: unknown, issues: Issues): string[] {
  const raw = typeof v === 'string' ? (v === '' ? [] : v.split(',')) : Array.isArray(v) ? v : null;
  if (raw === null) {
    issues.push({ path: [key], message: 'Groups must be specified as a list (or a comma-separated string).' });
    return [];
  }
  const out: string[] = [];
  for (const g of raw) {
    if (typeof g !== 'string' && typeof g !== 'number') {
      issues.push({ path: [key], message: `a group name must be a string, got ${JSON.stringify(g)}` });
      continue;
    }
    const name = String(g).trim();
    if (name === '') issues.push({ path: [key], message: `Invalid empty/false group name provided in ${JSON.stringify(v)}` });
    else if (!out.includes(name)) out.push(name);
  }
  return out;
}

function request(a: Record<string, unknown>, issues: Issues): AddHostRequest {
  const name = pick(a, NAME, issues);
  const groups = pick(a, GROUPS, issues);
  const hostVars = Object.fromEntries(Object.entries(a).filter(([k, v]) => !SPECIAL.has(k) && v !== undefined));
  if (name === undefined) {
    const others = Object.keys(hostVars);
    const rest = others.length ? `; the other arguments (${others.join(', ')}) are the host's variables` : '';
    issues.push({ path: [], message: `missing required argument name (or its aliases hostname, host)${rest}` });
  } else if (!(typeof name[1] === 'string' && name[1] !== '') && typeof name[1] !== 'number') {
    issues.push({ path: [name[0]], message: `the host's name must be a non-empty string, got ${JSON.stringify(name[1])}` });
  }
  return {
    host_name: name === undefined ? '' : String(name[1]),
    groups: groups === undefined ? [] : groupList(groups[0], groups[1], issues),
    host_vars: hostVars,
  };
}

// Any key but the name and groups (and their aliases) is a host variable, so the
// schema is a record and the rest is checked here.
export const AddHostArgs: z.ZodType<AddHostRequest> = z
  .record(z.string(), z.unknown())
  .superRefine((a, ctx) => {
    const issues: Issues = [];
    request(a, issues);
    for (const i of issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  })
  .transform((a) => request(a, []));

export const addHostModule = defineModule({
  names: ['add_host'],
  args: AddHostArgs,
  gather: async () => undefined,
  plan: (a) => ({
    changes: [] as NoChange[],
    // Names only: a variable may hold a password.
    okMsg: `host ${a.host_name}${a.groups.length ? ` in ${a.groups.join(', ')}` : ''}`,
    data: { add_host: a },
  }),
  ...NEVER_APPLIED,
});
