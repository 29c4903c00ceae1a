import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { barChart } from './bar-chart.js';
import { renderPng, writeChart } from './render.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upkeep-plot-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const svg = barChart({ labels: ['a', 'b'], values: [1, 2] }, { title: 'Importance' });

describe('writeChart', () => {
  it('writes .svg as is', async () => {
    const path = join(directory, 'chart.svg');
    await writeChart(svg, path);
    expect(await readFile(path, 'utf8')).toBe(svg);
  });

  it('writes .png (any case) at twice the size, creating missing folders', async () => {
    const path = join(directory, 'nested', 'deeper', 'chart.PNG');
    await writeChart(svg, path);
    const png = await readFile(path);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1600, 1000]);
  });

  it('rejects an unknown extension, naming it', async () => {
    await expect(writeChart(svg, join(directory, 'chart.jpg'))).rejects.toThrow(ValidationError);
    await expect(writeChart(svg, join(directory, 'chart.jpg'))).rejects.toThrow(
      /^output file ".*chart\.jpg": unknown extension "\.jpg", use \.svg or \.png$/,
    );
    await expect(writeChart(svg, join(directory, 'chart'))).rejects.toThrow(/unknown extension "\(none\)"/);
  });
});

describe('renderPng', () => {
  it('draws text with an installed font (not blank where the title is)', () => {
    const withTitle = renderPng(svg, { scale: 1 });
    const withoutTitle = renderPng(barChart({ labels: ['a', 'b'], values: [1, 2] }), { scale: 1 });
    expect(withTitle.equals(withoutTitle)).toBe(false);
  });

  it('rejects a nonsensical scale', () => {
    expect(() => renderPng(svg, { scale: 0 })).toThrow(/^scale must be a number above 0 and at most 8, got 0$/);
  });
});
