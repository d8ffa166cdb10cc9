// --step: ansible-playbook's confirm-each-task mode. Hosts run a play on their own, so
// the first host to reach a task asks, and every host takes that answer; questions are
// asked one at a time. (N)o, the default, leaves the task out for every host; (y)es
// runs it; (c)ontinue runs it and every later task without asking.

export type AskLine = (question: string) => Promise<string>;

export class StepConfirmer {
  private readonly decided = new Map<object, Promise<boolean>>();
  private asking: Promise<unknown> = Promise.resolve();
  private continueAll = false;

  constructor(private readonly ask: AskLine) {}

  /** Whether to run `task` (any object that stands for it, shared by the hosts). */
  confirm(task: object, title: string): Promise<boolean> {
    let answer = this.decided.get(task);
    if (answer === undefined) {
      answer = this.asking.then(() => this.decide(title));
      this.asking = answer.catch(() => undefined);
      this.decided.set(task, answer);
    }
    return answer;
  }

  private async decide(title: string): Promise<boolean> {
    if (this.continueAll) return true;
    for (;;) {
      const a = (await this.ask(`Perform task: TASK: ${title} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
      if (a === '' || a === 'n' || a === 'no') return false;
      if (a === 'y' || a === 'yes') return true;
      if (a === 'c' || a === 'continue') {
        this.continueAll = true;
        return true;
      }
    }
  }
}
