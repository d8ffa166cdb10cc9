// TemplateError: a template could not be compiled or rendered. It always names the
// template (a file name, or a label such as `playbooks/site.yaml:12:7 (task args)`)
// and, when known, the line and column inside the template and the variable, so an
// operator can fix the template without guessing (SPEC 5).
import { KvmplayError } from '../errors.js';

export interface TemplatePosition {
  /** File name of the template, or a label for an inline template. */
  template: string;
  /** 1-based line inside the template. */
  line?: number | undefined;
  /** 1-based column inside the template. */
  col?: number | undefined;
  /** Variable path as written, e.g. `vm.memory`, `../bridge`, `@index`. */
  variable?: string | undefined;
}

export class TemplateError extends KvmplayError {
  readonly template: string;
  readonly line: number | undefined;
  readonly col: number | undefined;
  readonly variable: string | undefined;
  /** The message without the position prefix. */
  readonly detail: string;
  constructor(pos: TemplatePosition, detail: string, options?: { cause?: unknown }) {
    super(`${where(pos)}: ${detail}`, options);
    this.template = pos.template;
    this.line = pos.line;
    this.col = pos.col;
    this.variable = pos.variable;
    this.detail = detail;
  }
}

// A file name gets the editor-clickable `file:line:col` form; a label that already
// carries a YAML position ("site.yaml:12:7 (task args)") gets words instead, so the
// two positions are not run together into "site.yaml:12:7 (task args):1:3".
function where(pos: TemplatePosition): string {
  if (pos.line === undefined) return pos.template;
  const fileLike = !/\s/.test(pos.template);
  if (fileLike) return `${pos.template}:${pos.line}${pos.col === undefined ? '' : `:${pos.col}`}`;
  return `${pos.template}, line ${pos.line}${pos.col === undefined ? '' : `, column ${pos.col}`}`;
}
