import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EpochBar } from './rul-progress.js';

/** A terminal-like stream that keeps what was drawn. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  stream.isTTY = true;
  stream.columns = 160;
  let written = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { stream, text: () => written };
}

describe('EpochBar', () => {
  it('draws the phase, epoch of total, loss and validation RMSE', async () => {
    const { stream, text } = terminal();
    const bar = new EpochBar('epoch', stream);
    bar.update({ phase: 'fit', epoch: 3, epochs: 10, loss: 123.456, validationRmse: 15.2, seconds: 1 });
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/fit .* epoch 3\/10 \| loss 123\.46 \| val RMSE 15\.20 \| ETA/);
  });

  it('shows a dash for a missing loss and starts over when the phase changes', async () => {
    const { stream, text } = terminal();
    const bar = new EpochBar('round', stream);
    bar.update({ phase: 'fit', epoch: 1, epochs: 300, loss: Number.NaN, seconds: 0.1 });
    bar.update({ phase: 'refit', epoch: 1, epochs: 300, loss: Number.NaN, seconds: 0.1 });
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/fit .* round 1\/300 \| loss – \| val RMSE –/);
    expect(text()).toMatch(/refit .* round 1\/300/);
  });
});
