// One connection per host for the whole run (SPEC 7): a host's Host object is made
// the first time a play reaches it and kept across plays, with what the run learnt
// about it (state, registered results, facts); all are closed at the end.
import { connectionFor, type ConnectionSpec, type Inventory } from '../inventory/index.js';
import type { Host } from '../transport/host.js';

/** One host's standing over the whole run. */
export type HostState = 'active' | 'failed' | 'unreachable';

export interface HostRun {
  readonly name: string;
  readonly spec: ConnectionSpec;
  /** Opens its connection lazily: a host whose tasks are all skipped is never contacted. */
  readonly host: Host;
  state: HostState;
  /** Registered results: kept across plays, as Ansible keeps them for the host. */
  registered: Record<string, unknown>;
  /** Variables set by set_fact tasks, for the host's later tasks (and plays). */
  setFacts: Record<string, unknown>;
  /** Variables from include_vars tasks, for the host's later tasks (and plays): under set_fact's. */
  includedVars: Record<string, unknown>;
  /** Gathered once per run, by the first play that gathers facts. */
  facts: Record<string, unknown> | undefined;
  /** Facts other modules returned (`ansible_facts` of service_facts, package_facts…); replaced, never mutated, on a change. */
  moduleFacts?: Record<string, unknown>;
  /** The last gathering took a gather_subset short of `all`: the next play that gathers does it again. */
  partialFacts?: boolean;
}

export class HostPool {
  private readonly runs = new Map<string, HostRun>();

  constructor(private readonly inventory: Inventory, private readonly open: (spec: ConnectionSpec) => Host) {}

  get(name: string): HostRun {
    let run = this.runs.get(name);
    if (!run) {
      const spec = connectionFor(this.inventory, name);
      run = { name, spec, host: this.open(spec), state: 'active', registered: {}, setFacts: {}, includedVars: {}, facts: undefined };
      this.runs.set(name, run);
    }
    return run;
  }

  /** The host's run if a play reached it, without making one. */
  peek(name: string): HostRun | undefined {
    return this.runs.get(name);
  }

  stateOf(name: string): HostState {
    return this.runs.get(name)?.state ?? 'active';
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.host.close().catch(() => undefined)));
  }
}
