// Errors of the expression and template language. Both carry a 1-based column into the
// source so the playbook loader can turn them into file:line:col (a ValidationError
// with this as its cause); the runner turns an ExprError into a failed task. Errors of a
// template (compileJinja) also carry the 1-based line, the column then counting within it.
import { KvmplayError } from '../errors.js';

export interface TemplatePosition {
  /** 1-based line in the template. */
  line: number;
  /** The template's name (JinjaOptions.name), when it has one. */
  name?: string | undefined;
}

function where(column: number, at: TemplatePosition | undefined): string {
  if (at === undefined) return `at column ${column}`;
  return `${at.name !== undefined ? `in ${at.name} ` : ''}at line ${at.line}, column ${column}`;
}

/** The expression does not parse, or names an unknown filter or test. */
export class ExprSyntaxError extends KvmplayError {
  /** 1-based offset into the expression source; within `line` for a template. */
  readonly column: number;
  /** 1-based line of a template error; null for a lone expression. */
  readonly line: number | null;
  /** The message without the position, for callers that print their own. */
  readonly detail: string;
  readonly source: string;
  constructor(source: string, column: number, detail: string, options?: { cause?: unknown; at?: TemplatePosition }) {
    super(`${options?.at ? 'template' : 'expression'} syntax error ${where(column, options?.at)}: ${detail}`, options);
    this.column = column;
    this.line = options?.at?.line ?? null;
    this.detail = detail;
    this.source = source;
  }
}

/** Evaluation failed: undefined variable, incompatible types, bad filter input. */
export class ExprError extends KvmplayError {
  /** 1-based offset of the sub-expression that failed, when known; within `line` for a template. */
  readonly column: number | null;
  /** 1-based line of a template error; null for a lone expression. */
  readonly line: number | null;
  /** The message without the position. */
  readonly detail: string;
  constructor(message: string, column: number | null = null, options?: { cause?: unknown; at?: TemplatePosition }) {
    super(options?.at && column !== null ? `${message} (${where(column, options.at)})` : message, options);
    this.column = column;
    this.line = options?.at?.line ?? null;
    this.detail = message;
  }
}

/** 1-based line and column of a 0-based offset into `source`. */
export function locate(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, offset));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
