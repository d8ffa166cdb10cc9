// A finished run's exit code from its recap (SPEC 2), for every command that ends
// with one: a failed host wins over an unreachable one.
import { EXIT } from '../errors.js';
import type { Recap } from './recap.js';

export function recapExitCode(recap: Pick<Recap, 'anyFailed' | 'anyUnreachable'>): number {
  if (recap.anyFailed()) return EXIT.hostFailed;
  if (recap.anyUnreachable()) return EXIT.unreachable;
  return EXIT.ok;
}
