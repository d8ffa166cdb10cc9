// `serial` (SPEC 4): a play's hosts split into batches, as Ansible's
// PlaybookExecutor._get_serialized_batches does, and the max_fail_percentage rule
// that stops a rollout after a bad batch. Pure.
import type { SerialStep } from '../playbook/index.js';

/**
 * A step as a host count: "30%" is 30% of ALL the play's hosts (not of those left),
 * truncated, but at least 1 — Ansible's pct_to_int. 0 or less means "all the rest".
 */
export function serialSize(step: SerialStep, total: number): number {
  if (typeof step === 'string' && step.trim().endsWith('%')) {
    const pct = Math.trunc(parseFloat(step.trim().slice(0, -1)));
    if (!Number.isFinite(pct)) return 0;
    return Math.trunc((pct / 100) * total) || 1;
  }
  const n = Math.trunc(typeof step === 'number' ? step : parseFloat(step));
  return Number.isFinite(n) ? n : 0;
}

/**
 * Hosts in batches. `[]` is one batch of everything; `[1, "50%"]` is one host, then
 * half of all hosts at a time: the last step repeats until every host had its turn.
 */
export function serialBatches<T>(hosts: readonly T[], serial: readonly SerialStep[]): T[][] {
  const steps: readonly SerialStep[] = serial.length === 0 ? [-1] : serial;
  const batches: T[][] = [];
  let at = 0;
  let step = 0;
  while (at < hosts.length) {
    const size = serialSize(steps[step]!, hosts.length);
    if (size <= 0) {
      batches.push(hosts.slice(at));
      break;
    }
    batches.push(hosts.slice(at, at + size));
    at += size;
    step = Math.min(step + 1, steps.length - 1);
  }
  return batches;
}

/**
 * Whether a finished batch stops the rollout. With max_fail_percentage, when the
 * failed or unreachable share of the batch is above it (Ansible compares with `>`:
 * 0 tolerates no failure, 100 tolerates all). Without, only when every host of the
 * batch failed — Ansible's rule, so a rollout never goes on into a dead fleet.
 */
export function batchStopsRollout(failed: number, batchSize: number, maxFailPercentage: number | undefined): boolean {
  if (batchSize === 0 || failed === 0) return false;
  if (maxFailPercentage === undefined) return failed >= batchSize;
  return (failed * 100) / batchSize > maxFailPercentage;
}
