// Run one job per host, at most `forks` at a time (SPEC 7). A job's failure is its
// own: fanout never rejects because one host did.
import pLimit from 'p-limit';

export async function fanout<T>(
  hosts: readonly string[],
  forks: number,
  job: (host: string) => Promise<T>,
): Promise<Map<string, PromiseSettledResult<T>>> {
  const limit = pLimit(Math.max(1, forks));
  const settled = await Promise.allSettled(hosts.map((h) => limit(() => job(h))));
  return new Map(hosts.map((h, i) => [h, settled[i]!]));
}
