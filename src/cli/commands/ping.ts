// `kvmplay ping`: connect, authenticate and run `true` on every matched host.
import { runAdhocCommand, type AdhocOptions } from '../adhoc-command.js';

export async function pingCommand(
  o: AdhocOptions,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; signal: AbortSignal },
): Promise<number> {
  return runAdhocCommand(o, 'ping', async (host, spec, signal) => {
    const r = await host.run(['true'], { become: spec.become, becomeMethod: o.settings.becomeMethod, signal, timeoutMs: 30_000 });
    if (r.rc === 0) return { status: 'ok', msg: 'pong' };
    return { status: 'failed', msg: r.stderr.trim() || `true exited ${r.rc ?? r.signal ?? 'without status'}`, rc: r.rc };
  }, io);
}
