import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { openWideCsv, readWideCsv, type WideCsvBatch, type WideCsvOptions } from './wide-csv.js';

const RECEIVED_AT = Date.UTC(2026, 0, 2);
const PUMPS = fileURLToPath(new URL('../../test/fixtures/pumps.csv', import.meta.url));

async function readAll(text: string, options: Partial<WideCsvOptions> = {}): Promise<WideCsvBatch[]> {
  const batches: WideCsvBatch[] = [];
  for await (const batch of readWideCsv(Readable.from([text]), { receivedAt: RECEIVED_AT, ...options })) {
    batches.push(batch);
  }
  return batches;
}

async function readError(text: string, options: Partial<WideCsvOptions> = {}): Promise<unknown> {
  try {
    await readAll(text, options);
  } catch (error) {
    return error;
  }
  throw new Error('expected the read to fail');
}

describe('readWideCsv', () => {
  it('reads the pumps fixture: booleans as 1/0, text columns as attributes, empty and NA cells as missing', async () => {
    const file = await openWideCsv(PUMPS, { receivedAt: RECEIVED_AT });
    const batches: WideCsvBatch[] = [];
    for await (const batch of file.batches) batches.push(batch);
    expect(batches).toHaveLength(1);
    const [batch] = batches as [WideCsvBatch];
    expect(batch.layout).toEqual({
      idColumn: 'sensor_id',
      timeColumn: 'timestamp',
      metricColumns: ['temperature', 'vibration', 'pressure', 'running'],
      attributeColumns: ['model', 'site', 'notes'],
    });
    expect(batch.rowsRead).toBe(8);
    expect(batch.bytesRead).toBe(file.size);
    expect(batch.readings).toHaveLength(8);
    expect(batch.readings[0]).toEqual({
      asset: 'pump-01',
      ts: Date.UTC(2026, 0, 1),
      metrics: { temperature: 71.2, vibration: 0.52, pressure: 6.1, running: 1 },
    });
    // Row 4 has an empty vibration cell, row 6 has pressure NA: those metrics are absent, the rest kept.
    expect(batch.readings[3]?.metrics).toEqual({ temperature: 71.5, pressure: 6.0, running: 1 });
    expect(batch.readings[5]?.metrics).toEqual({ temperature: 82.0, vibration: 1.61, running: 0 });
    expect(batch.readings.map((reading) => reading.metrics.running)).toEqual([1, 1, 0, 1, 1, 0, 1, 0]);
    // 8 rows × 4 metrics − 2 missing cells
    expect(batch.readings.reduce((sum, reading) => sum + Object.keys(reading.metrics).length, 0)).toBe(30);
    expect(batch.assets).toEqual([
      { id: 'pump-01', attributes: { model: 'P200', site: 'Plant A, hall 1' } },
      { id: 'pump-02', attributes: { model: 'P200', site: 'Plant B', notes: 'new seal, "rev 2"' } },
      { id: 'pump-03', attributes: { model: 'P350', site: 'Plant B', notes: 'bearing noise' } },
    ]);
  });

  it('splits into batches and reports each asset once unless its attributes change', async () => {
    const text = 'asset,ts,site,temperature\na,1000,x,1\nb,1000,y,2\na,2000,x,3\nb,2000,z,4\na,3000,x,5\n';
    const batches = await readAll(text, { batchSize: 2 });
    expect(batches.map((batch) => batch.readings.length)).toEqual([2, 2, 1]);
    expect(batches.map((batch) => batch.rowsRead)).toEqual([2, 4, 5]);
    expect(batches.map((batch) => batch.assets)).toEqual([
      [
        { id: 'a', attributes: { site: 'x' } },
        { id: 'b', attributes: { site: 'y' } },
      ],
      [{ id: 'b', attributes: { site: 'z' } }],
      [],
    ]);
    expect(batches[2]?.readings[0]).toEqual({ asset: 'a', ts: 3000, metrics: { temperature: 5 } });
  });

  it('finds id and time columns by the contract names, case-insensitively, and takes given names first', async () => {
    const [auto] = await readAll('Machine_ID,Timestamp,rpm\nm1,2026-01-01 00:00:00,1500\n');
    expect(auto?.layout.idColumn).toBe('Machine_ID');
    expect(auto?.readings[0]).toEqual({ asset: 'm1', ts: Date.UTC(2026, 0, 1), metrics: { rpm: 1500 } });

    const [given] = await readAll('serial,when,unit,rpm\ns1,2026-01-01T00:00:00+01:00,7,1500\n', {
      idColumn: 'serial',
      timeColumn: 'when',
    });
    // `unit` is an id name in the contract, but --id chose `serial`: `unit` is then an ordinary metric.
    expect(given?.readings[0]).toEqual({
      asset: 's1',
      ts: Date.UTC(2025, 11, 31, 23),
      metrics: { unit: 7, rpm: 1500 },
    });
  });

  it('gives every row the receive time when the file has no time column', async () => {
    const [batch] = await readAll('unit,speed\n1,10\n2,20\n');
    expect(batch?.layout.timeColumn).toBeUndefined();
    expect(batch?.readings).toEqual([
      { asset: '1', ts: RECEIVED_AT, metrics: { speed: 10 } },
      { asset: '2', ts: RECEIVED_AT, metrics: { speed: 20 } },
    ]);
  });

  it('handles quoting: delimiters, quotes and line breaks inside quoted cells, a BOM, CRLF line ends', async () => {
    const text = '\uFEFF"asset","ts","comment","temperature"\r\n"p1","1000","a, ""quoted""\r\nnote","1.5e1"\r\n';
    const [batch] = await readAll(text);
    expect(batch?.readings[0]).toEqual({ asset: 'p1', ts: 1000, metrics: { temperature: 15 } });
    expect(batch?.assets[0]).toEqual({ id: 'p1', attributes: { comment: 'a, "quoted"\r\nnote' } });
  });

  it('decides a column empty in the first batch by its first non-empty cell', async () => {
    const batches = await readAll('asset,ts,late,label\na,1,,\na,2,4.5,x\n', { batchSize: 1 });
    expect(batches[0]?.layout.metricColumns).toEqual([]);
    expect(batches[1]?.readings[0]?.metrics).toEqual({ late: 4.5 });
    expect(batches[1]?.layout).toMatchObject({ metricColumns: ['late'], attributeColumns: ['label'] });
  });

  it('names the row, line and column of an unparsable number', async () => {
    const error = await readError('asset,ts,temperature\na,1,70\na,2,hot\na,3,71\n');
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /^input row 2 \(line 3\): column 'temperature' must be a number .*got "hot"$/,
    );
  });

  it('keeps batches read before a bad row', async () => {
    const batches: WideCsvBatch[] = [];
    const text = 'asset,ts,temperature\na,1,70\na,2,71\na,3,oops\n';
    await expect(async () => {
      for await (const batch of readWideCsv(Readable.from([text]), { receivedAt: 0, batchSize: 2 })) {
        batches.push(batch);
      }
    }).rejects.toThrow(/row 3 \(line 4\): column 'temperature'/);
    expect(batches.map((batch) => batch.readings.length)).toEqual([2]);
  });

  it('rejects bad time cells, empty ids, unknown columns, missing id columns, files without metrics', async () => {
    await expect(readAll('asset,ts,t\na,yesterday,1\n')).rejects.toThrow(
      /row 1 \(line 2\): column 'ts' must be an ISO-8601 time or epoch milliseconds, got "yesterday"/,
    );
    await expect(readAll('asset,ts,t\n,1,1\n')).rejects.toThrow(/row 1 \(line 2\): column 'asset' is empty/);
    await expect(readAll('asset,t\na,1\n', { idColumn: 'serial' })).rejects.toThrow(
      /^input: id column "serial" is not in the header \(columns: asset, t\)$/,
    );
    await expect(readAll('asset,t\na,1\n', { timeColumn: 'when' })).rejects.toThrow(/time column "when"/);
    await expect(readAll('name,t\na,1\n')).rejects.toThrow(/no asset id column .*--id/);
    await expect(readAll('asset,ts,site\na,1,x\n')).rejects.toThrow(/no metric columns/);
    await expect(readAll('asset,t,t\na,1,2\n')).rejects.toThrow(/column "t" appears twice/);
    await expect(readAll('')).rejects.toThrow(/the file is empty/);
    await expect(readAll('asset,t\na,1,2\n')).rejects.toThrow(ValidationError);
  });

  it('reports a missing file by path', async () => {
    await expect(openWideCsv('/nonexistent/readings.csv', { receivedAt: 0 })).rejects.toThrow(
      /^cannot read \/nonexistent\/readings\.csv: no such file$/,
    );
  });
});
