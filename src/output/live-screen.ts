// Draws frames in place on a terminal with ANSI cursor movement: each frame replaces the
// previous one in ONE write (cursor up over the old frame, every line rewritten and its
// rest erased, anything below erased), so the terminal never shows a half-cleared
// screen. The caller keeps frames shorter than the terminal: a frame that scrolled the
// screen could not be reached again by moving the cursor up.

const ESC = '\x1b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
// Synchronized output: terminals that know it show the frame at once; others ignore it.
const BEGIN_SYNC = `${ESC}?2026h`;
const END_SYNC = `${ESC}?2026l`;

export class LiveScreen {
  /** Lines of the last frame; the cursor sits at the start of the line below them. */
  private drawn = 0;
  private cursorHidden = false;
  private last = '';
  // A second ^C exits at once (cli/main.ts): the cursor must not stay hidden then.
  private readonly restoreCursor = (): void => {
    this.out.write(SHOW_CURSOR);
  };

  constructor(private readonly out: NodeJS.WritableStream) {}

  draw(lines: readonly string[]): void {
    const frame = lines.join('\n');
    // An unchanged frame is not written again: less to send over a slow link.
    if (this.cursorHidden && frame === this.last) return;
    this.last = frame;
    let text = BEGIN_SYNC;
    if (!this.cursorHidden) {
      this.cursorHidden = true;
      text += HIDE_CURSOR;
      process.once('exit', this.restoreCursor);
    }
    text += this.up() + lines.map((l) => `${l}${ESC}K\n`).join('') + `${ESC}J` + END_SYNC;
    this.drawn = lines.length;
    this.out.write(text);
  }

  /** Erase the frame and give the cursor back: the screen is as before the first frame. */
  clear(): void {
    if (!this.cursorHidden) return;
    this.out.write(this.up() + `${ESC}J` + SHOW_CURSOR);
    this.drawn = 0;
    this.last = '';
    this.cursorHidden = false;
    process.removeListener('exit', this.restoreCursor);
  }

  private up(): string {
    return this.drawn > 0 ? `\r${ESC}${this.drawn}A` : '\r';
  }
}
