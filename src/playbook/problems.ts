// Validation reports every problem it finds, not just the first: an operator fixing a
// playbook wants the whole list in one run. Problems are gathered here and thrown
// once, as one ValidationError whose message has one `file:line:col: detail` per line.
import { ValidationError, type SourcePosition } from '../errors.js';

/** One problem: where, and what, in plain words. */
export interface Problem {
  pos: SourcePosition;
  detail: string;
}

/** Past this many, the rest are counted, not listed: the first ones are what to fix first. */
export const MAX_REPORTED = 20;

/** Several validation problems. The first one's position is this error's own (file, line, col). */
export class ValidationErrors extends ValidationError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options?: { cause?: unknown }) {
    const first = problems[0];
    if (!first) throw new Error('ValidationErrors needs at least one problem');
    super(first.pos, first.detail, options);
    this.problems = problems;
    const shown = problems.slice(0, MAX_REPORTED).map(format);
    if (problems.length > MAX_REPORTED) shown.push(`… and ${problems.length - MAX_REPORTED} more problems`);
    this.message = shown.join('\n');
  }
}

function format(p: Problem): string {
  return `${p.pos.file}:${p.pos.line}:${p.pos.col}: ${p.detail}`;
}

/** Collects problems; the same message at the same place is kept once. */
export class Problems {
  private readonly list: Problem[] = [];
  private readonly seen = new Set<string>();

  add(pos: SourcePosition, detail: string): void {
    const key = format({ pos, detail });
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ pos, detail });
  }

  /** A ValidationError thrown while loading a part (a vars file, malformed YAML). */
  addError(e: ValidationError): void {
    if (e instanceof ValidationErrors) for (const p of e.problems) this.add(p.pos, p.detail);
    else this.add({ file: e.file, line: e.line, col: e.col }, e.detail);
  }

  get count(): number {
    return this.list.length;
  }

  /**
   * Throws when any problem was found. Files keep the order they were read in; within
   * a file, problems are sorted by position, as an editor lists them.
   */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const fileOrder = new Map<string, number>();
    for (const p of this.list) if (!fileOrder.has(p.pos.file)) fileOrder.set(p.pos.file, fileOrder.size);
    const sorted = [...this.list].sort((a, b) =>
      fileOrder.get(a.pos.file)! - fileOrder.get(b.pos.file)! || a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    throw new ValidationErrors(sorted);
  }
}
