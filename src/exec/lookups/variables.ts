// The lookups that read named values: `env` (the control machine's environment, where
// kvmplay runs) and `vars` (the task's variables by name, for names built at run time:
// `lookup('vars', 'disk_' + item)`).
import { ExprError } from '../../jinja/index.js';
import { isPlainObject, pyRepr, typeName } from '../../jinja/values.js';
import type { LookupPlugin } from './plugin.js';

/** `env`: each variable's value; `default` (else '') for one that is not set. A term's first word names the variable. */
export const ENV_LOOKUP: LookupPlugin = {
  options: ['default'],
  run(terms, options, { fail }) {
    const fallback = Object.hasOwn(options, 'default') ? options.default : '';
    return terms.map((term) => {
      if (typeof term !== 'string') return fail(`env: the variable name must be a string, not ${typeName(term)} ${pyRepr(term)}`);
      const name = term.trim().split(/\s+/)[0] ?? '';
      if (name === '') return fail('env: the variable name is empty');
      return Object.hasOwn(process.env, name) ? process.env[name] : fallback;
    });
  },
};

/**
 * `vars`: each variable's value (rendered, as the task sees it), also found in
 * hostvars[inventory_hostname] as in Ansible. A variable that is not defined, or whose
 * template cannot be rendered, is an error unless `default` is given (None is no default).
 */
export const VARS_LOOKUP: LookupPlugin = {
  options: ['default'],
  run(terms, options, { ctx, fail }) {
    const fallback = options.default;
    const hasDefault = fallback !== undefined && fallback !== null;
    return terms.map((term) => {
      if (typeof term !== 'string') return fail(`Invalid setting identifier, "${pyRepr(term)}" is not a string, its a ${typeName(term)}`);
      let value: unknown;
      try {
        value = variable(ctx.vars, term);
      } catch (err) {
        if (hasDefault && err instanceof ExprError) return fallback;
        return fail(`vars: variable '${term}' cannot be read: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (value !== undefined) return value;
      return hasDefault ? fallback : fail(`No variable found with this name: ${term}`);
    });
  },
};

// Reading may render the variable's template (task variables are rendered lazily), which can throw.
function variable(vars: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(vars, name) && vars[name] !== undefined) return vars[name];
  const host = vars.inventory_hostname;
  const hostvars = vars.hostvars;
  if (typeof host !== 'string' || !isPlainObject(hostvars)) return undefined;
  const own = hostvars[host];
  return isPlainObject(own) && Object.hasOwn(own, name) ? own[name] : undefined;
}
