// Option value parsers for commander: a bad value is an OptionsError (exit 5).
import { InvalidArgumentError } from 'commander';
import { OptionsError } from '../errors.js';
import { parseShard, type Shard } from './shard.js';

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
    return n;
  };
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`must be a number of seconds > 0, got ${JSON.stringify(value)}`);
  return n;
}

/** --shard K/N (shard.ts). */
export function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (e) {
    if (e instanceof OptionsError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
