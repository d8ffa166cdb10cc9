// Compiling the strings of a playbook that are code: Jinja templates (task
// arguments, names, loops, labels, vars) and condition expressions (`when`,
// `changed_when`, `failed_when`, `until`). Errors are placed on the file at the
// exact line and column inside the string when the YAML allows it. The variables
// each one reads are returned as uses, for the undefined-variable check.
import type { SourcePosition } from '../errors.js';
import { compileExpr, ExprSyntaxError, locate, variablesOfAll, type CompiledExpr, type VariableRef } from '../jinja/index.js';
import { compilePlaybookString, isTemplate } from '../jinja/strings.js';
import type { PNode } from '../data/yaml-load.js';
import { innerPosition, lineColOf } from './position.js';
import type { Problems } from './problems.js';
import type { SourceFile } from './source.js';

/** A variable read, unguarded (an undefined value would be an error there). */
export interface VarUse {
  name: string;
  pos: SourcePosition;
}

type TemplateCheck = { ok: true; refs: readonly VariableRef[] } | { ok: false; error: ExprSyntaxError };
type ConditionCheck = { ok: true; expr: CompiledExpr } | { ok: false; error: ExprSyntaxError };

/**
 * What a string compiles to, by its text, for one load of a playbook set: playbooks
 * repeat the same strings (`{{ item }}`, `{{ inventory_hostname }}`, `rc != 0`) in
 * many tasks, and the outcome depends on the text alone (positions are added per use).
 */
export class StringCache {
  private readonly templates = new Map<string, TemplateCheck>();
  private readonly conditions = new Map<string, ConditionCheck>();

  template(text: string): TemplateCheck {
    let r = this.templates.get(text);
    if (!r) {
      try {
        r = { ok: true, refs: compilePlaybookString(text).variables() };
      } catch (e) {
        if (!(e instanceof ExprSyntaxError)) throw e;
        r = { ok: false, error: e };
      }
      this.templates.set(text, r);
    }
    return r;
  }

  /** A compiled expression is immutable: tasks with the same condition share it. */
  condition(text: string): ConditionCheck {
    let r = this.conditions.get(text);
    if (!r) {
      try {
        r = { ok: true, expr: compileExpr(text) };
      } catch (e) {
        if (!(e instanceof ExprSyntaxError)) throw e;
        r = { ok: false, error: e };
      }
      this.conditions.set(text, r);
    }
    return r;
  }
}

export class StringChecker {
  constructor(private readonly src: SourceFile, private readonly problems: Problems, private readonly cache = new StringCache()) {}

  /**
   * Compile every template string in the tree under `node`; `what` names the place
   * (`task arguments`, `loop`). Returns the variables the templates read for sure.
   */
  templates(node: PNode | undefined, what: string): VarUse[] {
    if (!node) return [];
    if (node.kind === 'seq') return node.items.flatMap((n) => this.templates(n, what));
    if (node.kind === 'map') return node.entries.flatMap((e) => this.templates(e.value, what));
    return typeof node.value === 'string' && isTemplate(node.value) ? this.template(node.value, node.pos, what) : [];
  }

  private template(text: string, at: SourcePosition, what: string): VarUse[] {
    const checked = this.cache.template(text);
    if (checked.ok) {
      const uses: VarUse[] = [];
      for (const r of checked.refs) {
        if (r.guarded) continue;
        const { line, column } = locate(text, r.pos);
        uses.push({ name: r.name, pos: this.inside(text, at, line, column).pos });
      }
      return uses;
    }
    const e = checked.error;
    const line = e.line ?? 1;
    const col = e.column;
    const inner = this.inside(text, at, line, col);
    const where = inner.exact ? '' : ` (line ${line}, column ${col} of the template)`;
    this.problems.add(inner.pos, `${what}: ${e.detail}${where}`);
    return [];
  }

  /**
   * Compile a condition or a list of them (all must hold). Returns undefined when one
   * does not compile (the problem is recorded) or is not a scalar (schema.ts reports that).
   */
  conditions(node: PNode | undefined, what: string): { exprs: CompiledExpr[]; uses: VarUse[] } | undefined {
    if (!node) return { exprs: [], uses: [] };
    const items = node.kind === 'seq' ? node.items : [node];
    const exprs: CompiledExpr[] = [];
    const texts: { text: string; at: SourcePosition }[] = [];
    let ok = true;
    for (const item of items) {
      if (item.kind !== 'scalar') {
        ok = false; // schema.ts says what is wrong with it
        continue;
      }
      const text = conditionText(item.value);
      const checked = this.cache.condition(text);
      if (checked.ok) {
        exprs.push(checked.expr);
        texts.push({ text, at: item.pos });
      } else {
        const e = checked.error;
        const { line, col } = lineColOf(text, e.column);
        const inner = this.inside(text, item.pos, line, col);
        const where = inner.exact ? '' : ` (column ${e.column} of the expression)`;
        this.problems.add(inner.pos, `"${what}": ${e.detail}${where}`);
        ok = false;
      }
    }
    if (!ok) return undefined;
    const uses = variablesOfAll(exprs).filter((v) => !v.guarded).map((v) => ({ name: v.name, pos: this.findName(texts, v.name) }));
    return { exprs, uses };
  }

  // Where a variable is first named in the expressions (a whole-word match), else the first one.
  private findName(texts: readonly { text: string; at: SourcePosition }[], name: string): SourcePosition {
    for (const { text, at } of texts) {
      const index = wordIndex(text, name);
      if (index >= 0) {
        const { line, col } = lineColOf(text, index + 1);
        return this.inside(text, at, line, col).pos;
      }
    }
    return texts[0]?.at ?? { file: this.src.name, line: 1, col: 1 };
  }

  private inside(text: string, at: SourcePosition, line: number, col: number): { pos: SourcePosition; exact: boolean } {
    return innerPosition(this.src, at, text, line, col);
  }
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);

/**
 * First index of `name` as a whole word not following a `.` (`vm` in `vm.x`, not in
 * `a.vm` or `vms`), or -1. A scan rather than a RegExp built per variable and condition.
 */
export function wordIndex(text: string, name: string): number {
  if (name === '') return -1;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = text[i - 1];
    if (before === '.' || isWordChar(before) || isWordChar(text[i + name.length])) continue;
    return i;
  }
  return -1;
}

/** YAML gives `when: true` a boolean and `when: 1` a number; the language reads their text. */
export function conditionText(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'True'; // Ansible: an empty condition holds
  return String(v);
}
