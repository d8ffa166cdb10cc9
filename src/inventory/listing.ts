// The two overviews `ansible-inventory` prints (lib/ansible/cli/inventory.py):
// `--graph` (_graph_group) and `--list` (json_inventory).
import type { InventoryModel } from './model.js';
import type { Vars } from '../data/py-values.js';

/** `@all:` / `  |--@group:` / `  |  |--host`: child groups first, then the group's own hosts. */
export function formatGraph(model: InventoryModel, start: string): string {
  const lines: string[] = [];
  const name = (text: string, depth: number): string => (depth ? `${'  |'.repeat(depth)}--${text}` : text);
  const walk = (group: string, depth: number): void => {
    const g = model.group(group);
    lines.push(name(`@${group}:`, depth));
    for (const kid of g.children) walk(kid, depth + 1);
    if (group !== 'all') for (const h of g.hosts) lines.push(name(h, depth + 1));
  };
  walk(start, 0);
  return lines.join('\n');
}

/** json_inventory(top): each group once, empty keys and empty groups left out. */
export function formatList(
  model: InventoryModel, top: string, hosts: string[], hostVars: (host: string) => Vars,
): Record<string, unknown> {
  const seen = new Set<string>();
  const results: Record<string, unknown> = {};
  const format = (group: string): void => {
    const g = model.group(group);
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (group !== 'all' && g.hosts.length) entry.hosts = [...g.hosts];
    results[group] = entry;
    for (const kid of g.children) {
      if (!seen.has(kid)) {
        format(kid);
        seen.add(kid);
      }
    }
    if (g.children.length) entry.children = [...g.children];
    if (!entry.hosts && !entry.children) delete results[group];
  };
  format(top);
  const hostvars: Record<string, Vars> = {};
  for (const h of hosts) {
    const v = hostVars(h);
    if (Object.keys(v).length) hostvars[h] = v;
  }
  return { _meta: { hostvars }, ...results };
}
