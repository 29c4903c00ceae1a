import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { readInputChunks } from './batch-input.js';

const directory = mkdtempSync(join(tmpdir(), 'upkeep-batch-input-'));

async function chunksOf(text: string, chunkRows: number) {
  const path = join(directory, `input-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, text);
  const chunks = [];
  for await (const chunk of readInputChunks(path, 'csv', chunkRows)) chunks.push(chunk);
  return chunks;
}

describe('batch input chunks', () => {
  it('reads a semicolon-separated file in chunks, numbering each chunk’s first row', async () => {
    const chunks = await chunksOf('asset;torque;\n"m-1";40.5;a\n"m-2";41;b\n"m-3";39.5;c\n', 2);
    expect(chunks.map((chunk) => [chunk.firstRow, chunk.frame.rowCount])).toEqual([
      [1, 2],
      [3, 1],
    ]);
    // The empty third name is filled in as the whole-file reader fills it.
    expect(chunks[0].frame.names).toEqual(['asset', 'torque', 'Unnamed: 2']);
  });

  it('takes the comma whenever the header has one, as the whole-file reader does', async () => {
    const [chunk] = await chunksOf('asset,note\nm-1,a;b;c\n', 10);
    expect(chunk.frame.names).toEqual(['asset', 'note']);
  });

  it('refuses a header naming a column twice, naming the column', async () => {
    await expect(chunksOf('torque,rpm,torque\n1,2,3\n', 10)).rejects.toThrow(ValidationError);
    await expect(chunksOf('torque,rpm,torque\n1,2,3\n', 10)).rejects.toThrow(/'torque' appears twice/);
  });

  it('names a missing file in one line', async () => {
    const chunks = readInputChunks(join(directory, 'absent.csv'), 'csv');
    await expect(chunks.next()).rejects.toThrow(/cannot read data file 'input': no such file/);
  });
});
