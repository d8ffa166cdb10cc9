// Escaping by the quoting context a value sits in (SPEC 5). The same value needs
// different escaping in `VAR={{x}}`, `VAR="{{x}}"` and `VAR='{{x}}'` (sh), in an
// ifupdown `up` line (run by /bin/sh, no quoting at all) and inside or outside a
// JSON string. So for these formats the renderer first writes a placeholder for
// each `{{ x }}`, then `placeValues` reads the whole rendered text with a small
// lexer of the file's syntax and escapes each value for the context it ended up in
// — after #if/#each and raw `{{{ }}}` text, exactly as the reader will see it.
// Where no escaping can make a value safe (after a backslash, inside backquotes,
// `${…}`, a here-document, an ifcfg word that is not VAR=value…) it is refused.
import { quoteShellWord } from '../util/shell-quote.js';
import {
  escapeDoubleQuoted, escapeSingleQuoted, ifupdownOptionValue, jsonLiteral, jsonStringContent, RefusedValue, refuseLineBreaks,
  scalarText, type TemplateFormat,
} from './escape.js';
import { SafeText } from './safe-text.js';

/** Formats whose values are escaped by context (the others by format alone). */
export function needsContext(format: TemplateFormat): boolean {
  return format === 'ifcfg' || format === 'shell' || format === 'ifupdown' || format === 'json';
}

/** A refusal for the value in slot `slot` (the caller names template, line, variable). */
export class SlotRefused extends Error {
  constructor(readonly slot: number, message: string) {
    super(message);
  }
}

interface Lexer {
  text(chunk: string): void;
  /** The escaped text of the value in `slot`; throws RefusedValue or SlotRefused. */
  value(value: unknown, slot: number): string;
  end(): void;
}

/**
 * Replace each placeholder (`marker` captures the slot number) in `rendered` by
 * its value in `values`, escaped for the context the lexer of `format` finds there.
 */
export function placeValues(rendered: string, format: TemplateFormat, values: readonly unknown[], marker: RegExp): string {
  const lexer = lexerFor(format);
  const parts = rendered.split(marker); // text, slot, text, slot, …, text
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 0) {
      lexer.text(part);
      out += part;
      continue;
    }
    const slot = Number(part);
    try {
      out += lexer.value(values[slot], slot); // escaped to stay in the context it is in
    } catch (e) {
      throw e instanceof RefusedValue ? new SlotRefused(slot, e.message) : e;
    }
  }
  lexer.end();
  return out;
}

function lexerFor(format: TemplateFormat): Lexer {
  if (format === 'json') return new JsonLexer();
  if (format === 'ifupdown') return new IfupdownLexer();
  return new ShellLexer(format === 'ifcfg');
}

// ---------------------------------------------------------------------------- sh

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A nesting level; `depth` counts the brackets of cmdsub, param and arith. */
interface Frame {
  kind: 'top' | 'cmdsub' | 'dq' | 'backquote' | 'param' | 'arith';
  depth: number;
}

/**
 * POSIX sh as far as quoting goes: '…', "…", $'…', \, $(…), `…`, ${…}, $((…)),
 * comments and here-documents. With `ifcfg`, also the shape of a file of
 * VAR=value lines: a value may only be (part of) a value or a variable name there.
 */
class ShellLexer implements Lexer {
  private frames: Frame[] = [{ kind: 'top', depth: 0 }];
  private mode: 'normal' | 'sq' | 'dollarsq' | 'comment' = 'normal';
  private escaped = false;
  private dollar = false;
  private prev = '';
  /** The last character opened `$(`: a second `(` makes it `$((`. */
  private justOpened = false;
  // Words of the top frame: is this word in command position, has it become VAR=…?
  private inWord = false;
  /** In a word at any level (a `#` there is not a comment). */
  private inAnyWord = false;
  private commandPosition = true;
  private wordAtCommand = false;
  private assignment = false;
  private name = '';
  /** The current word at any level, to notice `case` inside $(…). */
  private word = '';
  /** `case x in a) …` inside $(…): its `)` would be taken for the end of $(…). */
  private lost = false;
  private nameSlot: number | undefined;
  // Here-documents: delimiters read on this line, bodies after the newline.
  private readingDelimiter: { word: string; strip: boolean; started: boolean } | undefined;
  private pendingHeredocs: Array<{ word: string; strip: boolean }> = [];
  private heredoc: { word: string; strip: boolean; line: string } | undefined;

  constructor(private readonly ifcfg: boolean) {}

  private get frame(): Frame {
    return this.frames[this.frames.length - 1] ?? { kind: 'top', depth: 0 };
  }

  text(chunk: string): void {
    for (const c of chunk) this.char(c);
  }

  private char(c: string): void {
    const prev = this.prev;
    this.prev = c;
    if (this.heredoc) return this.heredocChar(c);
    if (this.readingDelimiter && this.delimiterChar(c)) return;
    const frame = this.frame;
    const dollar = this.dollar;
    this.dollar = false;
    if (this.escaped) {
      this.escaped = false;
      if ((frame.kind === 'top' || frame.kind === 'cmdsub') && c !== '\n') this.wordChar('\0'); // never part of a name
      return;
    }
    if (frame.kind === 'dq') return this.doubleQuotedChar(c, dollar);
    if (frame.kind === 'backquote') {
      if (c === '\\') this.escaped = true;
      else if (c === '`') this.frames.pop();
      return;
    }
    if (frame.kind === 'param' || frame.kind === 'arith') {
      const [open, close] = frame.kind === 'param' ? ['{', '}'] : ['(', ')'];
      if (c === open) frame.depth++;
      else if (c === close && --frame.depth === 0) this.frames.pop();
      return;
    }
    this.unquotedChar(c, frame, dollar, prev);
  }

  private doubleQuotedChar(c: string, dollar: boolean): void {
    if (c === '\\') this.escaped = true;
    else if (c === '"') this.frames.pop();
    else if (c === '`') this.frames.push({ kind: 'backquote', depth: 0 });
    else if (c === '$') this.dollar = true;
    else if (dollar) this.expansion(c);
  }

  /** After a `$`: `$(` `$((` `${` open a frame. */
  private expansion(c: string): void {
    this.justOpened = c === '(';
    this.word = ''; // the first word inside starts here
    if (c === '(') this.frames.push({ kind: 'cmdsub', depth: 0 });
    else if (c === '{') this.frames.push({ kind: 'param', depth: 1 });
  }

  private unquotedChar(c: string, frame: Frame, dollar: boolean, prev: string): void {
    if (this.mode === 'comment') {
      if (c === '\n') {
        this.mode = 'normal';
        this.newline();
      }
      return;
    }
    if (this.mode === 'sq') {
      if (c === "'") this.mode = 'normal';
      return;
    }
    if (this.mode === 'dollarsq') {
      if (c === '\\') this.escaped = true;
      else if (c === "'") this.mode = 'normal';
      return;
    }
    // `$((`: the cmdsub frame opened by `$(` is arithmetic instead.
    if (c === '(' && frame.kind === 'cmdsub' && prev === '(' && frame.depth === 0 && this.justOpened) {
      this.frames.pop();
      this.frames.push({ kind: 'arith', depth: 2 });
      this.justOpened = false;
      return;
    }
    this.justOpened = false;
    if (dollar && (c === '(' || c === '{')) return this.expansion(c);
    switch (c) {
      case '\\': this.escaped = true; return;
      case "'": this.wordChar(c); this.mode = dollar ? 'dollarsq' : 'sq'; return;
      case '"': this.wordChar(c); this.frames.push({ kind: 'dq', depth: 0 }); return;
      case '`': this.wordChar(c); this.frames.push({ kind: 'backquote', depth: 0 }); return;
      case '$': this.wordChar(c); this.dollar = true; return;
      case ' ': case '\t': this.endWord(); return;
      case '\n': this.endWord(); this.newline(); return;
      case ';': case '&': case '|': this.endWord(); this.commandPosition = true; return;
      case '(':
        this.endWord();
        this.commandPosition = true;
        if (prev === '(') {
          // `((…))`: arithmetic (bash), read like `$((…))`.
          if (frame.kind === 'cmdsub') frame.depth--;
          this.frames.push({ kind: 'arith', depth: 2 });
        } else if (frame.kind === 'cmdsub') frame.depth++;
        return;
      case ')':
        this.endWord();
        if (frame.kind === 'cmdsub') {
          if (frame.depth === 0) this.frames.pop();
          else frame.depth--;
        }
        this.inAnyWord = this.frames.length > 1 || this.inWord; // `$(…)x`: the word goes on
        return;
      case '<': case '>':
        this.endWord();
        if (c === '<' && prev === '<') this.readingDelimiter = { word: '', strip: false, started: false };
        return;
      case '#':
        if (!this.inAnyWord) {
          this.mode = 'comment';
          return;
        }
        this.wordChar(c);
        return;
      default:
        this.wordChar(c);
    }
  }

  /** Reading the word after `<<`; false when the character ends it (and is lexed as usual). */
  private delimiterChar(c: string): boolean {
    const d = this.readingDelimiter;
    if (!d) return false;
    if (!d.started && c === '-' && d.word === '') {
      d.strip = true;
      return true;
    }
    if (/[ \t]/.test(c) && !d.started) return true;
    if (/[\s;&|<>()]/.test(c)) {
      this.pendingHeredocs.push({ word: d.word, strip: d.strip });
      this.readingDelimiter = undefined;
      return false;
    }
    d.started = true;
    if (!`'"\\`.includes(c)) d.word += c;
    return true;
  }

  private heredocChar(c: string): void {
    const h = this.heredoc;
    if (!h) return;
    if (c !== '\n') {
      h.line += c;
      return;
    }
    const line = h.strip ? h.line.replace(/^\t+/, '') : h.line;
    h.line = '';
    if (line === h.word) this.heredoc = this.nextHeredoc();
  }

  private nextHeredoc(): { word: string; strip: boolean; line: string } | undefined {
    const next = this.pendingHeredocs.shift();
    return next ? { ...next, line: '' } : undefined;
  }

  private newline(): void {
    this.commandPosition = true;
    if (this.frames.length === 1) this.heredoc = this.nextHeredoc();
  }

  private wordChar(c: string): void {
    this.inAnyWord = true;
    this.word += c;
    if (this.frames.length > 1) return; // VAR=value is about words of the top level only
    if (!this.inWord) {
      this.inWord = true;
      this.wordAtCommand = this.commandPosition;
      this.assignment = false;
      this.name = '';
    }
    if (!this.wordAtCommand || this.assignment) return;
    if (c === '=' && this.mode === 'normal' && NAME.test(this.name)) this.assignment = true;
    else if (c === '=' && this.nameSlot !== undefined) throw new SlotRefused(this.nameSlot, 'makes a word that is not a valid variable name');
    else this.name += c;
  }

  private endWord(): void {
    if (this.word === 'case' && this.frames.some((f) => f.kind === 'cmdsub')) this.lost = true;
    this.word = '';
    this.inAnyWord = false;
    if (!this.inWord || this.frames.length > 1) return;
    this.inWord = false;
    if (this.nameSlot !== undefined && !this.assignment) {
      throw new SlotRefused(this.nameSlot, 'would be run as a command when the file is sourced: in an ifcfg file a value may only stand in VAR=value or in a comment');
    }
    this.nameSlot = undefined;
    if (this.wordAtCommand && !this.assignment) this.commandPosition = false;
  }

  end(): void {
    this.endWord();
  }

  value(value: unknown, slot: number): string {
    const written = this.escapeAt(value, slot);
    this.prev = '\0'; // `<{{x}}<` is no here-document, `$({{x}}(` no arithmetic
    return written;
  }

  private escapeAt(value: unknown, slot: number): string {
    const text = scalarText(value);
    refuseLineBreaks(text, this.ifcfg ? 'ifcfg' : 'shell');
    const kind = this.frame.kind;
    if (this.heredoc || this.pendingHeredocs.length > 0 || this.readingDelimiter) {
      throw new RefusedValue('stands in a here-document, where it cannot be escaped; pass it in a variable instead');
    }
    if (this.lost) throw new RefusedValue('comes after a `case` inside $(…), whose quoting this escaping does not follow; use a function or a variable');
    if (this.escaped) throw new RefusedValue('follows a backslash, which would escape its first character; remove the backslash');
    if (this.dollar) throw new RefusedValue('follows a $, which would expand it; remove the $ or quote it');
    if (kind === 'backquote') throw new RefusedValue('stands inside backquotes `…`, where it cannot be escaped; use $(…)');
    if (kind === 'param') throw new RefusedValue('stands inside ${…}, where it cannot be escaped');
    if (kind === 'arith') throw new RefusedValue('stands inside $((…)), where it cannot be escaped');
    if (this.mode === 'dollarsq') throw new RefusedValue("stands inside $'…', where it cannot be escaped; use '…'");
    if (this.mode === 'comment') return text;
    if (this.ifcfg) this.checkIfcfgPosition(text, slot);
    if (kind === 'dq') return escapeDoubleQuoted(text);
    if (this.mode === 'sq') return escapeSingleQuoted(text);
    const word = value instanceof SafeText && value.syntax === 'shell' ? text : quoteShellWord(text);
    for (const c of word) this.wordChar(c === "'" ? '\0' : c); // a quoted value is never part of a name
    return word;
  }

  /** ifcfg files are VAR=value lines: a value is a value, or a plain part of a name. */
  private checkIfcfgPosition(text: string, slot: number): void {
    if (this.frames.some((f) => f.kind === 'cmdsub')) {
      throw new RefusedValue('stands inside a command substitution $(…): an ifcfg file holds values, not commands');
    }
    if (this.inWord && this.assignment) return;
    const startsWord = !this.inWord;
    if ((startsWord ? this.commandPosition : this.wordAtCommand) && this.mode === 'normal' && this.frames.length === 1) {
      if (!/^[A-Za-z0-9_]+$/.test(text)) throw new RefusedValue('stands in a variable name and is not a valid one ([A-Za-z0-9_])');
      this.nameSlot = slot;
      return;
    }
    throw new RefusedValue('is not in a VAR=value assignment or a comment: in an ifcfg file anything else is run as a command');
  }
}

// ---------------------------------------------------------------------- ifupdown

/** Keywords whose line ifupdown runs with /bin/sh -c. */
const COMMAND_KEYWORDS = new Set(['up', 'down', 'pre-up', 'post-up', 'pre-down', 'post-down']);
/** What may go into a command line: no quoting, expansion or ifupdown `%var%`. */
const PLAIN_WORD = /^[A-Za-z0-9_@+:,./-]+$/;
/** Lines that name interfaces: one word per value, or a value would add interfaces or options. */
const STANZA_KEYWORDS = /^(?:iface|auto|allow-[a-z-]+|mapping|rename|no-auto-down|no-scripts)$/;

/**
 * /etc/network/interfaces: line by line, no quoting at all. A `#` line is a comment;
 * the first word is the keyword; an `up`/`pre-up`/… line is a /bin/sh command.
 */
class IfupdownLexer implements Lexer {
  private line = '';
  private keywordSlot: number | undefined;

  text(chunk: string): void {
    for (const c of chunk) {
      if (c === '\n') this.endLine();
      else {
        this.line += c;
        if (/[ \t]/.test(c)) this.checkKeyword();
      }
    }
  }

  private keyword(): string {
    return this.line.trimStart().split(/[ \t]/)[0] ?? '';
  }

  /** A keyword made with a value must not turn the line into a command. */
  private checkKeyword(): void {
    if (this.keywordSlot === undefined) return;
    if (COMMAND_KEYWORDS.has(this.keyword())) {
      throw new SlotRefused(this.keywordSlot, 'makes the line an ifupdown command (up, pre-up…), which /bin/sh would run');
    }
    this.keywordSlot = undefined;
  }

  private endLine(): void {
    this.checkKeyword();
    this.line = '';
  }

  end(): void {
    this.endLine();
  }

  value(value: unknown, slot: number): string {
    const text = scalarText(value);
    refuseLineBreaks(text, 'ifupdown');
    const before = this.line.trimStart();
    if (before.startsWith('#')) {
      if (text.includes('\\')) throw new RefusedValue('contains a backslash: ifupdown joins a line ending in \\ with the next one');
      this.line += text;
      return text;
    }
    if (!/[ \t]/.test(before)) {
      if (!PLAIN_WORD.test(text)) throw new RefusedValue('stands in the keyword of an ifupdown line and is not a plain word ([A-Za-z0-9_@+:,./-])');
      this.keywordSlot = slot;
    } else if (COMMAND_KEYWORDS.has(this.keyword())) {
      if (!PLAIN_WORD.test(text)) {
        throw new RefusedValue(`stands in an ifupdown "${this.keyword()}" line, which /bin/sh runs as it is: only a plain word ([A-Za-z0-9_@+:,./-]) can be written there`);
      }
      if (/[$\\%]$/.test(this.line)) throw new RefusedValue('follows a $, \\ or % in an ifupdown command line, which would change it');
    } else if (STANZA_KEYWORDS.test(this.keyword())) {
      if (!PLAIN_WORD.test(text)) throw new RefusedValue(`stands in an ifupdown "${this.keyword()}" line and is not one plain word ([A-Za-z0-9_@+:,./-])`);
    } else {
      ifupdownOptionValue(text);
    }
    this.line += text;
    return text;
  }
}

// -------------------------------------------------------------------------- JSON

class JsonLexer implements Lexer {
  private inString = false;
  private escaped = false;

  text(chunk: string): void {
    for (const c of chunk) {
      if (!this.inString) this.inString = c === '"';
      else if (this.escaped) this.escaped = false;
      else if (c === '\\') this.escaped = true;
      else if (c === '"') this.inString = false;
    }
  }

  value(value: unknown): string {
    if (!this.inString) return jsonLiteral(value);
    if (this.escaped) throw new RefusedValue('follows a backslash inside a JSON string, which would escape its first character');
    return jsonStringContent(value);
  }

  end(): void {}
}
