// `kvmplay recap merge FILE...`: the `--json` outputs of the shards of one run
// (--shard K/N on N machines) as one recap, and the exit code a single run would have.
import { readFile } from 'node:fs/promises';
import { OptionsError } from '../../errors.js';
import { colorEnabled, painter } from '../../output/color.js';
import { mergeRecaps, type ShardOutput } from '../../output/recap-merge.js';
import { Problems } from '../../playbook/problems.js';
import { errorText } from '../../playbook/source.js';

export interface RecapMergeOptions {
  /** Files of `--json` output; `-` is standard input. */
  files: string[];
  /** The Ansible-style PLAY RECAP instead of the JSON line. */
  human: boolean;
}

export interface RecapIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export async function recapMergeCommand(o: RecapMergeOptions, io: RecapIo): Promise<number> {
  if (o.files.filter((f) => f === '-').length > 1) throw new OptionsError('recap merge: standard input (-) can be read only once');
  const outputs = await readOutputs(o.files, io.stdin);
  const problems = new Problems();
  const merged = mergeRecaps(outputs, problems);
  problems.throwIfAny();
  for (const s of merged.stopped) {
    io.err.write(`[WARNING]: ${s.name}: that shard stopped before any host (exit ${s.exit}): ${s.messages.join('; ')}\n`);
  }
  io.out.write(o.human ? merged.recap.format(painter(colorEnabled(io.out))) + '\n' : JSON.stringify(merged.json) + '\n');
  return merged.exit;
}

/** Every file read, or every one that cannot be read named at once (exit 4). */
async function readOutputs(files: readonly string[], stdin: NodeJS.ReadableStream): Promise<ShardOutput[]> {
  const problems = new Problems();
  const outputs: ShardOutput[] = [];
  for (const file of files) {
    try {
      outputs.push({ name: file, text: file === '-' ? await readAll(stdin) : await readFile(file, 'utf8') });
    } catch (e) {
      problems.add({ file, line: 1, col: 1 }, `cannot read the file: ${errorText(e)}`);
    }
  }
  problems.throwIfAny();
  return outputs;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
