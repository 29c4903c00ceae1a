import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { normaliseReadings } from '../core/reading.js';
import {
  bodyFormat,
  MALFORMED_JSON,
  parseCsvReadings,
  parseJsonReadings,
  parseNdjsonReadings,
  parseReadingsBody,
} from './body-parsers.js';

describe('bodyFormat', () => {
  it('maps Content-Type headers to body formats, ignoring parameters and case', () => {
    expect(bodyFormat(undefined)).toBe('sniff');
    expect(bodyFormat('text/plain;charset=UTF-8')).toBe('sniff');
    expect(bodyFormat('application/x-www-form-urlencoded')).toBe('sniff');
    expect(bodyFormat('application/json; charset=utf-8')).toBe('json');
    expect(bodyFormat('application/vnd.upkeep+json')).toBe('json');
    expect(bodyFormat('application/x-ndjson')).toBe('ndjson');
    expect(bodyFormat('Application/NDJSON')).toBe('ndjson');
    expect(bodyFormat('application/jsonl')).toBe('ndjson');
    expect(bodyFormat('text/csv; header=present')).toBe('csv');
  });

  it('refuses other media types, naming the header value', () => {
    expect(() => bodyFormat('application/xml')).toThrow(ValidationError);
    expect(() => bodyFormat('application/xml')).toThrow(/unsupported Content-Type "application\/xml"/);
  });
});

describe('parseJsonReadings', () => {
  it('accepts an array, {"readings": [...]} and a single reading object', () => {
    expect(parseJsonReadings('[{"asset":"a","metrics":{"x":1}}]')).toEqual([{ asset: 'a', metrics: { x: 1 } }]);
    expect(parseJsonReadings('{"readings":[{"sensor_id":"a","x":1}]}')).toEqual([{ sensor_id: 'a', x: 1 }]);
    expect(parseJsonReadings('{"sensor_id":"a","x":1}')).toEqual([{ sensor_id: 'a', x: 1 }]);
  });

  it('passes a non-array "readings" on, for validation to refuse by name', () => {
    const parsed = parseJsonReadings('{"readings": 5}');
    expect(parsed).toBe(5);
    expect(() => normaliseReadings(parsed, { receivedAt: 0 })).toThrow(/'readings' must be an array, got 5/);
  });

  it('reports malformed JSON with the parser’s reason', () => {
    try {
      parseJsonReadings('[{"asset": "a",');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe(MALFORMED_JSON);
      expect((error as ValidationError).details[0]?.path).toBe('body');
    }
  });
});

describe('parseNdjsonReadings', () => {
  it('parses one reading per line, skipping blank lines and CR line ends', () => {
    const text = '{"asset":"a","metrics":{"x":1}}\r\n\n  \n{"sensor_id":"b","y":2}';
    expect(parseNdjsonReadings(text)).toEqual([
      { asset: 'a', metrics: { x: 1 } },
      { sensor_id: 'b', y: 2 },
    ]);
    expect(parseNdjsonReadings('')).toEqual([]);
    expect(parseNdjsonReadings('{"sensor_id":"a","x":1}\n')).toHaveLength(1);
  });

  it('names the malformed line', () => {
    expect(() => parseNdjsonReadings('{"a":1}\n\n{"b":')).toThrow(MALFORMED_JSON);
    try {
      parseNdjsonReadings('{"a":1}\n\n{"b":');
    } catch (error) {
      expect((error as ValidationError).details[0]?.path).toBe('line 3');
      expect((error as ValidationError).details[0]?.message).toMatch(/^line 3: /);
    }
  });
});

describe('parseCsvReadings', () => {
  it('turns rows into flat readings: ids as text, numbers as numbers, True/False as 1/0', () => {
    const text =
      'sensor_id,timestamp,temperature,running\npump-01,2026-01-01T00:00:00Z,71.2,True\n007,1767225600000,-3e2,false\n';
    expect(parseCsvReadings(text)).toEqual([
      { sensor_id: 'pump-01', timestamp: '2026-01-01T00:00:00Z', temperature: 71.2, running: 1 },
      { sensor_id: '007', timestamp: 1_767_225_600_000, temperature: -300, running: 0 },
    ]);
  });

  it('leaves empty cells out, keeps quoted commas, strips a BOM and skips blank lines', () => {
    const text = '\uFEFFasset,temperature,vibration\n"pump,01",,0.5\n\n';
    expect(parseCsvReadings(text)).toEqual([{ asset: 'pump,01', vibration: 0.5 }]);
  });

  it('keeps non-numeric metric text so that validation names the column and value', () => {
    const rows = parseCsvReadings('machine_id,temperature\nm1,hot\n');
    expect(rows).toEqual([{ machine_id: 'm1', temperature: 'hot' }]);
    expect(() => normaliseReadings(rows, { receivedAt: 0 })).toThrow(
      /reading 0: metric 'temperature' must be a finite number, got "hot"/,
    );
  });

  it('gives nothing for an empty body or a header alone', () => {
    expect(parseCsvReadings('')).toEqual([]);
    expect(parseCsvReadings('asset,temperature\n')).toEqual([]);
  });

  it('refuses a row with the wrong number of cells, naming the line', () => {
    try {
      parseCsvReadings('asset,temperature\npump-01,1\npump-02,2,3\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/^malformed CSV in request body: .*line 3/);
      expect((error as ValidationError).details[0]?.path).toBe('line 3');
    }
  });

  it('refuses empty or repeated column names', () => {
    expect(() => parseCsvReadings('asset,,x\na,1,2\n')).toThrow(/column 2 has an empty or repeated name ""/);
    expect(() => parseCsvReadings('asset,x,x\na,1,2\n')).toThrow(/column 3 has an empty or repeated name "x"/);
  });
});

describe('parseReadingsBody', () => {
  it('decodes UTF-8 bytes and dispatches on the Content-Type', () => {
    const bytes = new TextEncoder().encode('asset,température\npompe-é,1\n');
    expect(parseReadingsBody('text/csv', bytes)).toEqual([{ asset: 'pompe-é', température: 1 }]);
    expect(parseReadingsBody('application/x-ndjson', '{"asset":"a"}')).toEqual([{ asset: 'a' }]);
    expect(parseReadingsBody('application/json', '[]')).toEqual([]);
  });

  it('recognises JSON, NDJSON and CSV bodies sent without a specific Content-Type', () => {
    expect(parseReadingsBody(undefined, ' [{"asset":"a"}]')).toEqual([{ asset: 'a' }]);
    expect(parseReadingsBody('text/plain', '{"readings":[{"asset":"a"}]}')).toEqual([{ asset: 'a' }]);
    expect(parseReadingsBody('text/plain', '{"asset":"a"}\n{"asset":"b"}\n')).toEqual([{ asset: 'a' }, { asset: 'b' }]);
    expect(parseReadingsBody('application/x-www-form-urlencoded', 'asset,x\na,1\n')).toEqual([{ asset: 'a', x: 1 }]);
    expect(parseReadingsBody(undefined, '  \n')).toEqual([]);
    expect(() => parseReadingsBody(undefined, '[{"asset":')).toThrow(MALFORMED_JSON);
    expect(() => parseReadingsBody(undefined, '{"asset":')).toThrow(MALFORMED_JSON);
  });
});
