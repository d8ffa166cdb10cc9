// Gives a task's variables the lookups (`lookup('file', …)`, `query('template', …)`):
// the provider rides on the scope under a symbol key, which templates cannot name, so
// every string rendered against this scope — arguments, lazily rendered vars, template
// files — can call them. Relative names are searched from the task's role, then the play's folder.
import { LOOKUP_PROVIDER } from '../jinja/lookups.js';
import { lookupProvider } from './lookups/provider.js';
import type { PlayRun, RunContext } from './run-context.js';
import type { Scope } from './scope.js';

export function withLookups(scope: Scope, ctx: RunContext, playRun: PlayRun, host: string, roleDir?: string): Scope {
  const provider = lookupProvider({
    searchDirs: roleDir === undefined ? [playRun.play.dir] : [roleDir, playRun.play.dir],
    vars: scope,
    warn: (msg) => ctx.bus.emit({ event: 'notice', level: 'warning', msg: `${host}: ${msg}` }),
  });
  Object.defineProperty(scope, LOOKUP_PROVIDER, { value: provider, enumerable: false });
  return scope;
}
