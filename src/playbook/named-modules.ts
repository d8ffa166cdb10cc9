// The words of a playbook-side file that may name a module: every map key (a task's
// module is one of its keys), the first word of an `action:` / `local_action:` string,
// and a `module:` value (`action: {module: copy, …}`). Reading more than the tasks
// is harmless: only names of modules load anything (modules/registry.ts).
import type { PNode } from '../data/yaml-node.js';

const ACTION_KEYS = new Set(['action', 'local_action']);

export function wordsNamingModules(root: PNode | null): Set<string> {
  const words = new Set<string>();
  const visit = (node: PNode): void => {
    if (node.kind === 'seq') {
      for (const item of node.items) visit(item);
    } else if (node.kind === 'map') {
      for (const e of node.entries) {
        words.add(e.name);
        const v = e.value;
        if (v.kind === 'scalar' && typeof v.value === 'string') {
          if (ACTION_KEYS.has(e.name)) words.add(v.value.trim().split(/\s+/)[0] ?? '');
          else if (e.name === 'module') words.add(v.value.trim());
        }
        visit(v);
      }
    }
  };
  if (root) visit(root);
  return words;
}
