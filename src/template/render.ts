// Compiling and rendering templates. Each compile gets its own Handlebars
// environment (Handlebars.create()) and helpers are passed per render, so nothing
// is registered globally and two templates never share state.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type HandlebarsLib from 'handlebars';
import { formatFor, type TemplateFormat } from './escape.js';
import { parseFailure, parseTemplate } from './parse.js';
import { needsContext } from './quoting-context.js';
import { fillSlots, RUNTIME_HELPERS, STATE_KEY, type RenderState } from './runtime.js';
import { TemplateError } from './template-error.js';
import { INTERNAL, transformTemplate, type Ref, type TransformMode } from './transform.js';

export type TemplateVars = Readonly<Record<string, unknown>>;

type Delegate = (context: unknown, options: HandlebarsLib.RuntimeOptions) => string;

// Loaded at the first render: validation compiles templates but renders none, and the
// full package (code generator, source-map) is a good part of a cold start.
const requireHere = createRequire(import.meta.url);
const handlebars = (): typeof HandlebarsLib => requireHere('handlebars') as typeof HandlebarsLib;

export interface CompiledTemplate {
  /** File name or label used in every error. */
  readonly name: string;
  readonly format: TemplateFormat;
  readonly source: string;
  /** `capture`: a lone `{{ expr }}` evaluated to a typed value (renderValue). */
  readonly mode: TransformMode;
  /** Internal: what errors need to know about each checked node. */
  readonly refs: readonly Ref[];
  /** Internal: the Handlebars template function. */
  readonly delegate: Delegate;
}

export interface CompileOptions {
  /** Template file name, or a label like `playbooks/site.yaml:12:7 (task args)`. */
  name: string;
  /** Output format; default: from the name (see escape.ts). */
  format?: TemplateFormat;
}

const COMPILE_OPTIONS = {
  // Output is escaped per format by __kv_write; HTML escaping must never run.
  noEscape: true,
  // Lookups stay null-safe; strictness comes from transform.ts (why: see there).
  strict: false,
  // Only our helpers and the four block helpers exist: no helperMissing, and never a
  // function found in the variables called as a helper.
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(Object.values(INTERNAL).map((name) => [name, true])),
  data: true,
} as const;

/** Compile a parsed template. Internal: renderValue compiles lone expressions in capture mode. */
export function compileParsed(program: hbs.AST.Program, source: string, name: string, format: TemplateFormat, mode: TransformMode): CompiledTemplate {
  const { program: rewritten, refs } = transformTemplate(program, source, name, mode);
  // Handlebars' compile only wraps the AST (the work happens at the first call), so
  // creating the environment waits for that call too; run() turns what it throws into
  // a TemplateError, as it does for Handlebars' own compile errors.
  let compiled: Delegate | undefined;
  const delegate: Delegate = (context, options) => {
    compiled ??= handlebars().create().compile(rewritten, COMPILE_OPTIONS);
    return compiled(context, options);
  };
  return { name, format, source, mode, refs, delegate };
}

/**
 * Compile a template. Syntax errors, unknown helpers, wrong argument counts and
 * partials are TemplateErrors here, before any host is contacted.
 */
export function compileTemplate(source: string, options: CompileOptions): CompiledTemplate {
  const format = options.format ?? formatFor(options.name);
  return compileParsed(parseTemplate(source, options.name), source, options.name, format, 'write');
}

function run(template: CompiledTemplate, vars: TemplateVars, state: RenderState): string {
  try {
    return template.delegate(vars, {
      data: { [STATE_KEY]: state },
      helpers: RUNTIME_HELPERS,
      allowCallsToHelperMissing: false,
      // Prototype members stay denied; saying so explicitly also stops Handlebars
      // from printing a warning on the console when a template names one.
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    });
  } catch (e) {
    // Handlebars compiles lazily, on the first render: its own exceptions
    // ("Must pass iterator to #each") carry a line and column too.
    throw e instanceof TemplateError ? e : parseFailure(e, template.name);
  }
}

/** Render a compiled template; an undefined variable or an unsafe value is a TemplateError. */
export function renderTemplate(template: CompiledTemplate, vars: TemplateVars): string {
  if (template.mode !== 'write') throw new TypeError('renderTemplate needs a template compiled by compileTemplate');
  const state: RenderState = { template: template.name, format: template.format, refs: template.refs };
  if (needsContext(template.format)) state.slots = { nonce: randomBytes(12).toString('hex'), values: [], refs: [] };
  return fillSlots(run(template, vars, state), state);
}

/** Evaluate a lone `{{ expr }}` compiled in capture mode: the value keeps its type. */
export function evaluateExpression(template: CompiledTemplate, vars: TemplateVars): unknown {
  const state: RenderState = { template: template.name, format: template.format, refs: template.refs };
  run(template, vars, state);
  if (!state.captured) throw new TemplateError({ template: template.name }, 'the expression produced no value');
  return state.captured.value;
}
