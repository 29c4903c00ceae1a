import { describe, expect, it } from 'vitest';
import { GroupCommit, MAX_GROUP_VALUES, takeGroup } from './group-commit.js';
import type { AppendResult } from './store.js';

describe('takeGroup', () => {
  it('takes appends in order while the group stays within MAX_GROUP_VALUES values', () => {
    // 120k + 80k = 200k fits exactly; the next 1 would exceed it.
    const pending = [120_000, 80_000, 1, 5];
    expect(takeGroup(pending, (size) => size)).toEqual([120_000, 80_000]);
    expect(pending).toEqual([1, 5]);
  });

  it('always takes the first append, even one larger than the limit', () => {
    const pending = [MAX_GROUP_VALUES + 1, 1];
    expect(takeGroup(pending, (size) => size)).toEqual([MAX_GROUP_VALUES + 1]);
    expect(pending).toEqual([1]);
  });
});

describe('GroupCommit', () => {
  it('commits appends that arrive during a commit together in the next one, each with its own counts', async () => {
    const writes: number[][] = [];
    const commits = new GroupCommit<number>(
      (size) => size,
      async (batches) => {
        writes.push(batches);
        return batches.map((size) => ({ accepted: size, duplicates: 0 }));
      },
    );
    const results = await Promise.all([commits.submit(3), commits.submit(4), commits.submit(5)]);
    // The first append starts a commit on its own; the two submitted while it runs share the next.
    expect(writes).toEqual([[3], [4, 5]]);
    expect(results).toEqual([
      { accepted: 3, duplicates: 0 },
      { accepted: 4, duplicates: 0 },
      { accepted: 5, duplicates: 0 },
    ]);
  });

  it('fails every append of a failed group and goes on with the next group', async () => {
    let calls = 0;
    const commits = new GroupCommit<number>(
      (size) => size,
      async (batches): Promise<AppendResult[]> => {
        calls++;
        if (calls === 2) throw new Error('commit failed');
        return batches.map((size) => ({ accepted: size, duplicates: 0 }));
      },
    );
    const first = commits.submit(1);
    const second = commits.submit(2);
    const third = commits.submit(3);
    await expect(first).resolves.toEqual({ accepted: 1, duplicates: 0 });
    await expect(second).rejects.toThrow('commit failed');
    await expect(third).rejects.toThrow('commit failed');
    await commits.settled();
    await expect(commits.submit(4)).resolves.toEqual({ accepted: 4, duplicates: 0 });
  });
});
