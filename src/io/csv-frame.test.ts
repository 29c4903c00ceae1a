import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameToCsv, parseCsvFrame, readCsvFrame } from './csv-frame.js';

const directory = mkdtempSync(join(tmpdir(), 'upkeep-csv-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('readCsvFrame', () => {
  it('loads a file with a header, quoted fields, booleans, categories and missing values', async () => {
    const path = writeFile(
      'machines.csv',
      [
        'UDI,Product ID,Type,Torque [Nm],failed,note',
        '1,M14860,M,42.8,False,"ok, nothing to say"',
        '2,L47181,L,,True,"says ""hi"""',
        '3,L47182,L,39.5,False,"two',
        'lines"',
        '',
      ].join('\n'),
    );
    const frame = await readCsvFrame(path);
    expect(frame.rowCount).toBe(3);
    expect(frame.names).toEqual(['UDI', 'Product ID', 'Type', 'Torque [Nm]', 'failed', 'note']);
    expect([...frame.numeric('UDI')]).toEqual([1, 2, 3]);
    expect([...frame.numeric('Torque [Nm]')]).toEqual([42.8, Number.NaN, 39.5]);
    expect(frame.column('failed')).toMatchObject({ kind: 'numeric', boolean: true });
    expect([...frame.numeric('failed')]).toEqual([0, 1, 0]);
    expect(frame.column('Type')).toMatchObject({ kind: 'category', levels: ['L', 'M'] });
    expect(frame.value('note', 0)).toBe('ok, nothing to say');
    expect(frame.value('note', 1)).toBe('says "hi"');
    expect(frame.value('note', 2)).toBe('two\nlines');
  });

  it('keeps the exact text of a column whose first values look numeric', async () => {
    const path = writeFile('ids.csv', 'id,v\n007,1\n1.50,2\nA9,3\n');
    const frame = await readCsvFrame(path);
    expect(frame.column('id')).toMatchObject({ kind: 'category', levels: ['007', '1.50', 'A9'] });
    expect(frame.value('id', 0)).toBe('007');
    expect([...frame.numeric('v')]).toEqual([1, 2, 3]);
  });

  it('agrees with inferColumn on a column that switches from booleans to text', async () => {
    const frame = await parseCsvFrame('flag\ntrue\nno\nmaybe\n');
    expect(frame.column('flag')).toMatchObject({ kind: 'category', levels: ['maybe', 'no', 'true'] });
  });

  it('detects semicolon and tab separators from the header, strips a BOM', async () => {
    const semicolons = await readCsvFrame(writeFile('semi.csv', '\uFEFFa;b\n1;2\n'));
    expect(semicolons.names).toEqual(['a', 'b']);
    expect([...semicolons.numeric('b')]).toEqual([2]);
    const tabs = await parseCsvFrame('a\tb\n1\tx\n');
    expect(tabs.value('b', 0)).toBe('x');
  });

  it('names an empty header field like pandas names an index column', async () => {
    const frame = await parseCsvFrame(',x\n0,5\n1,6\n');
    expect(frame.names).toEqual(['Unnamed: 0', 'x']);
  });

  it('names the file, line and column for a row with a missing or extra field', async () => {
    const short = writeFile('short.csv', 'a,b,c\n1,2,3\n4,5\n');
    await expect(readCsvFrame(short)).rejects.toThrow(
      /^short\.csv line 3: 2 fields, the header has 3 \(no value for 'c'\)$/,
    );
    const long = writeFile('long.csv', 'a,b\n1,2,3\n');
    await expect(readCsvFrame(long)).rejects.toThrow(
      /long\.csv line 2: 3 fields, the header has 2 \(extra value "3" after 'b'\)/,
    );
  });

  it('rejects a duplicate header, an unclosed quote, an empty file and a missing file', async () => {
    await expect(parseCsvFrame('a,b,a\n1,2,3\n', { source: 'upload' })).rejects.toThrow(
      /upload: column 'a' appears twice in the header \(fields 1 and 3\)/,
    );
    await expect(readCsvFrame(writeFile('quote.csv', 'a,b\n1,"2\n'))).rejects.toThrow(/^quote\.csv: Quote Not Closed/);
    await expect(readCsvFrame(writeFile('empty.csv', ''))).rejects.toThrow(/empty\.csv: no header row/);
    await expect(readCsvFrame(join(directory, 'nope.csv'))).rejects.toThrow(
      /cannot read data file .*nope\.csv.*: no such file/,
    );
  });

  it('gives the same frame streaming an unquoted file as parsing its text with csv-parse', async () => {
    for (const text of ['x,y,kind\n0.1,1,a\n0.2,,b\n0.3,3,\n', 'x,y,kind\r\n0.1,1,a\r\n\r\n0.2,,b\r\n0.3,3,']) {
      const fromFile = await readCsvFrame(writeFile('same.csv', text));
      const fromText = await parseCsvFrame(text);
      expect(fromFile.rowCount).toBe(3);
      expect(fromFile.columns).toEqual(fromText.columns);
    }
    const crlf = writeFile('crlf.csv', 'a,b\r\n1,2\r\n\r\n3\r\n');
    await expect(readCsvFrame(crlf)).rejects.toThrow(
      /crlf\.csv line 4: 1 fields, the header has 2 \(no value for 'b'\)/,
    );
  });
});

describe('frameToCsv', () => {
  it('round-trips through the reader, quoting where needed', async () => {
    const original = await parseCsvFrame('name,value\n"a, b",0.1\n"say ""x""",\nplain,1e-300\n');
    const text = frameToCsv(original);
    expect(text).toBe('name,value\n"a, b",0.1\n"say ""x""",\nplain,1e-300\n');
    const again = await parseCsvFrame(text);
    expect(again.columns).toEqual(original.columns);
  });
});
