// `service_facts` (Ansible's ansible.builtin.service_facts): every service the host's
// init systems know, as `ansible_facts.services` (name → {name, state, status, source}),
// read in one round trip (service-facts-parse.ts). Read-only: never changed.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import { runOptions } from '../../remote.js';
import { defineModule } from '../../runner.js';
import type { NoChange } from '../facts/facts.js';
import { parseServiceFacts, SERVICE_FACTS_SCRIPT, type ServiceFactsProbe } from './service-facts-parse.js';

/** Ansible's service_facts takes no arguments. */
const ServiceFactsArgs = z.object({}).strict();

export const NO_SERVICES = 'Failed to find any services. This can be due to privileges or some other configuration issue.';

export const serviceFactsModule = defineModule({
  names: ['service_facts'],
  args: ServiceFactsArgs,
  async gather(host, _a, ctx): Promise<ServiceFactsProbe> {
    const r = await host.run(['sh', '-c', SERVICE_FACTS_SCRIPT], runOptions(ctx));
    if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading services failed (rc=${r.rc ?? 'none'}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
    return parseServiceFacts(r.stdout);
  },
  plan(_a, p) {
    const count = Object.keys(p.services).length;
    const warnings = p.warnings.length ? { warnings: p.warnings } : {};
    // Ansible skips the task here; kvmplay's runner has no skipped real run, so it says so.
    if (count === 0) return { changes: [] as NoChange[], okMsg: NO_SERVICES, data: { ...warnings } };
    return { changes: [] as NoChange[], okMsg: `${count} services`, data: { ansible_facts: { services: p.services }, ...warnings } };
  },
  describe: (c: NoChange) => c,
  apply: async () => undefined,
});
