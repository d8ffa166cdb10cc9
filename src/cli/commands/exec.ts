// `kvmplay exec -- CMD`: an ad-hoc shell command on every matched host (like `ansible -a`).
import { runAdhocCommand, type AdhocOptions } from '../adhoc-command.js';

export interface ExecOptions extends AdhocOptions {
  command: string;
  /** Per-command timeout in seconds; the remote command is ended when it passes. */
  stepTimeout?: number;
}

export async function execCommand(
  o: ExecOptions,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; signal: AbortSignal },
): Promise<number> {
  const timeoutMs = o.stepTimeout ? o.stepTimeout * 1000 : undefined;
  return runAdhocCommand(o, 'exec', async (host, spec, signal) => {
    const r = await host.run(o.command, { become: spec.become, becomeMethod: o.settings.becomeMethod, signal, timeoutMs });
    const out = { rc: r.rc, stdout: r.stdout, stderr: r.stderr };
    if (r.timedOut) return { status: 'failed', msg: `command timed out after ${o.stepTimeout}s and was ended`, ...out };
    if (r.rc !== 0) return { status: 'failed', msg: `non-zero return code ${r.rc ?? r.signal}`, ...out };
    // As Ansible's ad-hoc `command`: a command that ran is reported as changed.
    return { status: 'changed', msg: '', ...out };
  }, io);
}
