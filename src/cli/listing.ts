// --list-hosts, --list-tasks and --list-tags: what ansible-playbook prints for them,
// line for line (tab before TAGS included), and nothing is run.
import { shouldRunTags, type TagFilter } from '../exec/tags.js';
import type { Inventory } from '../inventory/index.js';
import type { LoadedRun, Play } from '../playbook/model.js';

export interface ListingRequest {
  hosts: boolean;
  tasks: boolean;
  tags: boolean;
}

export function wantsListing(r: ListingRequest): boolean {
  return r.hosts || r.tasks || r.tags;
}

/**
 * `names`: the playbooks as given on the command line (Ansible prints them so).
 * `limit`: the hosts --limit leaves (undefined: all).
 */
export function listPlaybooks(
  loaded: LoadedRun, names: readonly string[], inventory: Inventory, limit: ReadonlySet<string> | undefined, filter: TagFilter, r: ListingRequest,
): string {
  let out = '';
  loaded.playbooks.forEach((pb, i) => {
    out += `\nplaybook: ${names[i] ?? pb.file}\n`;
    pb.plays.forEach((play, n) => {
      out += `\n  play #${n + 1} (${play.hosts}): ${play.name}\tTAGS: ${tagList(play.tags)}\n`;
      if (r.hosts) {
        const hosts = playHosts(play, inventory).filter((h) => limit === undefined || limit.has(h));
        out += `    pattern: ['${play.hosts}']\n    hosts (${hosts.length}):\n`;
        for (const h of hosts) out += `      ${h}\n`;
      }
      const tasks = play.tasks.filter((t) => shouldRunTags(t.tags, filter));
      if (r.tasks) {
        out += '    tasks:\n';
        for (const t of tasks) out += `      ${t.role ? `${t.role.name} : ` : ''}${t.name ?? t.module}\tTAGS: ${tagList(t.tags)}\n`;
      }
      if (r.tags) out += `      TASK TAGS: ${tagList(tasks.flatMap((t) => t.tags))}\n`;
    });
  });
  return out;
}

/** Ansible prints a sorted set of tags as a list: `[a, b]`. */
function tagList(tags: readonly string[]): string {
  return `[${[...new Set(tags)].sort().join(', ')}]`;
}

function playHosts(play: Play, inventory: Inventory): string[] {
  try {
    return inventory.matchHosts(play.hosts);
  } catch {
    return []; // a templated pattern: known only when the play runs
  }
}
