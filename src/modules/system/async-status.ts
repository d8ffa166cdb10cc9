// `async_status` (ansible.builtin.async_status): the state of a job that `async: N` with
// `poll: 0` started (exec/async-task.ts, async-job.ts), read from its job file on the
// host as the task's (become) user: `finished: 0` while it runs, then the job's own
// result (rc, stdout, stderr, failed when the command failed); an unknown jid fails
// ("could not find job"); `mode: cleanup` removes the file. Its result is the job's
// (changed when the command ran), not a change it plans, so it is not a defineModule
// lifecycle; like Ansible's it runs the same in check mode, where kvmplay's poll-0
// tasks also leave job files (their check-mode results) for it to read and clean up.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { argumentSpec } from '../args.js';
import type { ModuleContext, ModuleResult } from '../module.js';
import { runOptions } from '../remote.js';
import { failure, type Module } from '../runner.js';
import { jobStatus, NO_JOB_EXIT, printedJobFile, statusArgv } from './async-job.js';

// The job id names a file in the job folder: never a path out of it.
const JobId = z.union([z.string(), z.number()]).transform(String)
  .pipe(z.string().min(1).refine((j) => !j.includes('/') && j !== '.' && j !== '..', { error: 'must be a job id (ansible_job_id), not a path' }));

export const AsyncStatusArgs = argumentSpec({
  jid: JobId,
  mode: z.enum(['status', 'cleanup'], { error: 'must be status or cleanup' }).default('status'),
}, { required: ['jid'] });
export type AsyncStatusArgs = z.output<typeof AsyncStatusArgs>;

const STATUS_TIMEOUT_MS = 60_000;

/** The job file's path and (mode status) its content, null when there is no such job; cleanup removes it. */
export async function readJob(host: Host, a: AsyncStatusArgs, ctx: ModuleContext): Promise<{ path: string; text: string | null }> {
  const r = await host.run(statusArgv(a.jid, a.mode), runOptions(ctx, ctx.timeoutMs === undefined ? { timeoutMs: STATUS_TIMEOUT_MS } : {}));
  const path = printedJobFile(r.stdout);
  if (r.timedOut || path === undefined || (r.rc !== 0 && r.rc !== NO_JOB_EXIT)) {
    const why = r.timedOut ? 'timed out' : r.stderr.trim() || `exit status ${r.rc ?? r.signal ?? 'none'}`;
    throw new TaskError(ctx.hostName, `async_status: cannot read job ${a.jid}: ${why}`, { rc: r.rc, stderr: r.stderr });
  }
  if (r.rc === NO_JOB_EXIT) return { path, text: null };
  return { path, text: r.stdout.slice(r.stdout.indexOf('\n') + 1) };
}

/** The result for what readJob found. Pure. */
export function statusResult(a: AsyncStatusArgs, found: { path: string; text: string | null }): ModuleResult {
  if (a.mode === 'status') return jobStatus(a.jid, found.path, found.text);
  const base = { ansible_job_id: a.jid, started: 0, finished: 0 };
  if (found.text === null) return { changed: false, failed: true, msg: 'could not find job', data: { ...base, started: 1, finished: 1 } };
  return { changed: false, msg: '', stdout: '', stderr: '', data: { ...base, erased: found.path } };
}

export const asyncStatusModule: Module = {
  name: 'async_status',
  names: ['async_status'],
  args: AsyncStatusArgs as z.ZodType<unknown>,
  async run(host, parsedArgs, ctx) {
    // The registry hands run() what `args` parsed: an AsyncStatusArgs.
    const a = parsedArgs as AsyncStatusArgs;
    const { check: _check, ...mctx } = ctx;
    try {
      return statusResult(a, await readJob(host, a, mctx));
    } catch (err) {
      return failure(err, { changed: false, data: { ansible_job_id: a.jid } });
    }
  },
};
