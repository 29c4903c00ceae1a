import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDataset } from '../../test/helpers/paths.js';
import {
  listNabDataFiles,
  parseNabCsv,
  parseNabWindows,
  readNabCsv,
  readNabWindows,
  resolveNabDataFile,
} from './nab.js';

const NAB_ROOT = sharedDataset('nab');
const MACHINE_TEMPERATURE = join(NAB_ROOT, 'data/realKnownCause/machine_temperature_system_failure.csv');
const WINDOWS_FILE = join(NAB_ROOT, 'labels/combined_windows.json');

describe('parseNabCsv', () => {
  it('reads timestamps as UTC epoch ms and values as numbers', () => {
    const series = parseNabCsv('timestamp,value\n2014-04-01 00:00:00,20.0\n2014-04-01 00:05:00,-1.5e1\n');
    // Date.UTC(2014, 3, 1) = 1396310400000
    expect(Array.from(series.timestamps)).toEqual([1396310400000, 1396310700000]);
    expect(Array.from(series.values)).toEqual([20, -15]);
    expect(series.timestampText[1]).toBe('2014-04-01 00:05:00');
  });

  it('names the line and field of a bad row', () => {
    expect(() => parseNabCsv('timestamp,value\n2014-04-01 00:00:00,hot\n', 'x.csv')).toThrow(
      /^x\.csv line 2: 'value' must be a finite number, got "hot"$/,
    );
    expect(() => parseNabCsv('timestamp,value\nyesterday,1\n', 'x.csv')).toThrow(
      /x\.csv line 2: 'timestamp' must be an ISO-8601 time, got "yesterday"/,
    );
    expect(() => parseNabCsv('time,reading\n1,2\n', 'x.csv')).toThrow(/header must contain 'timestamp' and 'value'/);
    expect(() => parseNabCsv('', 'x.csv')).toThrow(/empty file/);
  });
});

describe('parseNabWindows', () => {
  it('reads window bounds and sorts them', () => {
    const windows = parseNabWindows({
      'a/b.csv': [
        ['2014-04-11 00:00:00.000000', '2014-04-11 01:00:00.000000'],
        ['2014-04-10 00:00:00.000000', '2014-04-10 01:00:00.000000'],
      ],
      'a/c.csv': [],
    });
    expect(windows['a/b.csv'].map((w) => w.start)).toEqual([Date.UTC(2014, 3, 10), Date.UTC(2014, 3, 11)]);
    expect(windows['a/b.csv'][0].end - windows['a/b.csv'][0].start).toBe(3_600_000);
    expect(windows['a/c.csv']).toEqual([]);
  });

  it('names the file and window of bad labels', () => {
    expect(() => parseNabWindows({ 'a.csv': [['2014-04-11', 'soon']] })).toThrow(
      /'a\.csv' window 0: end is not a timestamp, got "soon"/,
    );
    expect(() => parseNabWindows({ 'a.csv': [['2014-04-11', '2014-04-10']] })).toThrow(/is before start/);
    expect(() => parseNabWindows([])).toThrow(/expected an object/);
  });
});

describe.skipIf(!existsSync(MACHINE_TEMPERATURE))('the NAB subset on disk', () => {
  it('reads machine_temperature_system_failure.csv and its four windows', async () => {
    const series = await readNabCsv(MACHINE_TEMPERATURE);
    // wc -l machine_temperature_system_failure.csv → 22696 lines including the header
    expect(series.values.length).toBe(22695);
    const windows = await readNabWindows(WINDOWS_FILE);
    expect(windows['realKnownCause/machine_temperature_system_failure.csv']).toHaveLength(4);
    const files = await listNabDataFiles(join(NAB_ROOT, 'data'));
    expect(files).toContain('realKnownCause/machine_temperature_system_failure.csv');
    expect(resolveNabDataFile(NAB_ROOT, 'realKnownCause/machine_temperature_system_failure.csv')).toBe(
      MACHINE_TEMPERATURE,
    );
  });
});

if (!existsSync(MACHINE_TEMPERATURE)) {
  console.warn(`skipping NAB data tests: ${MACHINE_TEMPERATURE} is absent`);
}

describe('missing files', () => {
  it('raise a not-found error naming the path', async () => {
    await expect(readNabCsv('/nonexistent/x.csv')).rejects.toThrow(/data file not found: "\/nonexistent\/x\.csv"/);
    await expect(listNabDataFiles('/nonexistent')).rejects.toThrow(/data folder not found/);
  });
});
