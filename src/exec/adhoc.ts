// Ad-hoc runs (`ping`, `exec`): one action per matched host, hosts in parallel,
// each host's outcome turned into one task result event.
import type { ConnectionSpec } from '../transport/connection-spec.js';
import { UnreachableError } from '../errors.js';
import type { EventBus, TaskStatus } from '../output/events.js';
import { fanout } from './fanout.js';
import type { Host } from '../transport/host.js';
import { SshHost } from '../transport/ssh/ssh-host.js';

export interface AdhocOutcome {
  status: Exclude<TaskStatus, 'unreachable'>;
  msg: string;
  rc?: number | null;
  stdout?: string;
  stderr?: string;
}

export interface AdhocRun {
  specs: readonly ConnectionSpec[];
  forks: number;
  acceptNewHostKeys: boolean;
  bus: EventBus;
  signal: AbortSignal;
  taskName: string;
  action: (host: Host, spec: ConnectionSpec, signal: AbortSignal) => Promise<AdhocOutcome>;
}

export async function runAdhoc(run: AdhocRun): Promise<void> {
  const byName = new Map(run.specs.map((s) => [s.name, s]));
  await fanout([...byName.keys()], run.forks, async (name) => {
    const spec = byName.get(name)!;
    if (run.signal.aborted) return;
    const started = Date.now();
    run.bus.emit({ event: 'task_start', host: name, task: run.taskName });
    const host = new SshHost(spec, { acceptNewHostKeys: run.acceptNewHostKeys });
    const done = (o: AdhocOutcome | { status: 'unreachable'; msg: string }) =>
      run.bus.emit({
        event: 'task',
        host: name,
        task: run.taskName,
        changed: o.status === 'changed',
        duration_ms: Date.now() - started,
        ...o,
      });
    try {
      await host.connect();
      done(await run.action(host, spec, run.signal));
    } catch (err) {
      if (err instanceof UnreachableError) done({ status: 'unreachable', msg: err.message });
      else done({ status: 'failed', msg: err instanceof Error ? err.message : String(err) });
    } finally {
      await host.close().catch(() => undefined);
    }
  });
}
