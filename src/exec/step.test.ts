import assert from 'node:assert/strict';
import { StepConfirmer } from './step.js';

describe('--step', () => {
  it('asks once per task whatever the number of hosts, one question at a time, N by default', async () => {
    const questions: string[] = [];
    const answers = ['', 'maybe', 'y', 'c'];
    const step = new StepConfirmer(async (q) => { questions.push(q); return answers.shift() ?? 'n'; });
    const [t1, t2, t3, t4] = [{}, {}, {}, {}];
    const first = await Promise.all([step.confirm(t1, 'one'), step.confirm(t1, 'one'), step.confirm(t2, 'two')]);
    assert.deepEqual(first, [false, false, true]);
    assert.deepEqual(questions, [
      'Perform task: TASK: one (N)o/(y)es/(c)ontinue: ',
      'Perform task: TASK: two (N)o/(y)es/(c)ontinue: ',
      'Perform task: TASK: two (N)o/(y)es/(c)ontinue: ',
    ]);
    assert.equal(await step.confirm(t3, 'three'), true);
    assert.equal(await step.confirm(t4, 'four'), true, 'after (c)ontinue nothing is asked');
    assert.equal(questions.length, 4);
  });
});
