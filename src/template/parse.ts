// Parsing a template into Handlebars' AST, with parse errors turned into
// TemplateErrors that carry the line and column (SPEC 4: errors name file:line:col).
import { createRequire } from 'node:module';
import { TemplateError } from './template-error.js';

interface HandlebarsParser {
  parse(source: string, options?: { srcName?: string }): hbs.AST.Program;
  parser: unknown;
}

// Only Handlebars' parser (its compiler/base module, the one Handlebars.parse is):
// the whole package also loads its code generator and source-map, which validation
// never runs. CommonJS, so require's cache shares it with a full `handlebars` load.
const requireHere = createRequire(import.meta.url);
const handlebarsParser = (): HandlebarsParser => requireHere('handlebars/dist/cjs/handlebars/compiler/base') as HandlebarsParser;

/** A 1-based position from a Handlebars location (lines 1-based, columns 0-based). */
export function positionOf(loc: hbs.AST.SourceLocation | undefined): { line: number | undefined; col: number | undefined } {
  const line = loc?.start?.line;
  const column = loc?.start?.column;
  return { line: typeof line === 'number' ? line : undefined, col: typeof column === 'number' ? column + 1 : undefined };
}

interface LexerLocation {
  first_line: number;
  first_column: number;
}

// Handlebars' parser reports "Parse error on line 3:" plus an excerpt, but not the
// column. Its (jison) lexer still holds the location of the offending token just
// after the throw; it is read synchronously, right there, so no other parse can
// have moved it.
function lexerLocation(): LexerLocation | undefined {
  const parser: unknown = handlebarsParser().parser;
  const lexer: unknown = parser && typeof parser === 'object' ? (parser as { lexer?: unknown }).lexer : undefined;
  const yylloc: unknown = lexer && typeof lexer === 'object' ? (lexer as { yylloc?: unknown }).yylloc : undefined;
  if (!yylloc || typeof yylloc !== 'object') return undefined;
  const { first_line: line, first_column: column } = yylloc as Partial<LexerLocation>;
  return typeof line === 'number' && typeof column === 'number' ? { first_line: line, first_column: column } : undefined;
}

// The parser's token names, in the words a template author would use.
const TOKEN_WORDS: Readonly<Record<string, string>> = {
  INVALID: 'character',
  CLOSE: '}}',
  CLOSE_UNESCAPED: '}}}',
  OPEN: '{{',
  OPEN_ENDBLOCK: '{{/',
  OPEN_SEXPR: '(',
  CLOSE_SEXPR: ')',
};

function numberProp(e: unknown, key: string): number | undefined {
  const v: unknown = e && typeof e === 'object' ? (e as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' ? v : undefined;
}

/** Turn whatever Handlebars threw while parsing or compiling into a TemplateError. */
export function parseFailure(e: unknown, template: string, source?: string): TemplateError {
  if (e instanceof TemplateError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0] ?? message;
  const onLine = /^(?:Parse|Lexical) error on line (\d+)/.exec(first);
  if (onLine) {
    const line = Number(onLine[1]);
    const loc = lexerLocation();
    const col = loc && loc.first_line === line ? loc.first_column + 1 : undefined;
    const token = /got '([^']+)'\s*$/.exec(message)?.[1];
    if (token === 'EOF') {
      return new TemplateError({ template, line, col }, 'template syntax error: the template ends inside {{ }} or an open {{#block}}', { cause: e });
    }
    const got = token ? `: unexpected ${TOKEN_WORDS[token] ?? token.toLowerCase().replace(/_/g, ' ')}` : '';
    const text = source?.split('\n')[line - 1]?.trim();
    const excerpt = text ? ` in ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)}` : '';
    return new TemplateError({ template, line, col }, `template syntax error${got}${excerpt}`, { cause: e });
  }
  // Handlebars exceptions with a node ("if doesn't match each - 3:5") carry the
  // line and a 0-based column; the message repeats them, which we drop.
  const line = numberProp(e, 'lineNumber');
  const column = numberProp(e, 'column');
  const detail = first.replace(/ - \d+:\d+$/, '');
  return new TemplateError({ template, line, col: column === undefined ? undefined : column + 1 }, detail, { cause: e });
}

// Bounds before Handlebars sees a template: 10,000 nested blocks kept `validate` busy
// for minutes and deep trees overflow the stack of the recursive walks after parsing.
export const MAX_TEMPLATE_CHARS = 1024 * 1024;
export const MAX_BLOCK_DEPTH = 100;
const BLOCK_MARK = /\{\{~?\s*([#^/])/g;

/** Throws a TemplateError for a template over the size or block-nesting bound. */
export function checkTemplateBounds(source: string, template: string): void {
  if (source.length > MAX_TEMPLATE_CHARS) {
    throw new TemplateError({ template, line: 1, col: 1 }, `template of ${source.length} characters, larger than ${MAX_TEMPLATE_CHARS}`);
  }
  if (!source.includes('{{#') && !source.includes('{{~#') && !source.includes('{{^')) return;
  let depth = 0;
  for (const m of source.matchAll(BLOCK_MARK)) {
    if (m[1] === '/') depth = Math.max(0, depth - 1);
    else if (m[1] === '#' || source[m.index + m[0].length] !== '}') depth++; // `{{^}}` alone is an else
    if (depth > MAX_BLOCK_DEPTH) {
      const before = source.slice(0, m.index);
      const line = before.split('\n').length;
      const col = m.index - before.lastIndexOf('\n');
      throw new TemplateError({ template, line, col }, `template blocks nested more than ${MAX_BLOCK_DEPTH} levels deep`);
    }
  }
}

/** Parse template source; syntax errors become TemplateErrors with a position. */
export function parseTemplate(source: string, template: string): hbs.AST.Program {
  checkTemplateBounds(source, template);
  try {
    return handlebarsParser().parse(source, { srcName: template });
  } catch (e) {
    throw parseFailure(e, template, source);
  }
}
