import { describe, expect, it } from 'vitest';
import { Progress, progressWanted } from './progress.js';

describe('Progress', () => {
  it('stays quiet when disabled but still counts items, elapsed time and rate', () => {
    let now = 1000;
    const writes: string[] = [];
    const stream = { write: (text: string) => writes.push(text), isTTY: true } as unknown as NodeJS.WriteStream;
    const progress = new Progress({ total: 1000, itemName: 'rows', enabled: false, stream, now: () => now });
    now += 500;
    progress.update(400, 2000);
    now += 1500;
    progress.update(1000, 8000);
    progress.stop();
    now += 10_000;
    expect(writes).toEqual([]);
    expect(progress.items).toBe(8000);
    // 8000 rows in 2 s, the clock frozen at stop()
    expect(progress.elapsedMs).toBe(2000);
    expect(progress.rate).toBe(4000);
    progress.stop();
    expect(progress.elapsedMs).toBe(2000);
  });

  it('draws no bar for --json output', () => {
    expect(progressWanted(true)).toBe(false);
  });
});
