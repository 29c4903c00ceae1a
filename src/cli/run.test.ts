import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { UpkeepError, ValidationError } from '../core/errors.js';
import {
  EXIT_BAD_INPUT,
  EXIT_UNEXPECTED,
  formatCount,
  formatDuration,
  integerOption,
  printJson,
  reportError,
} from './run.js';

function capture() {
  const lines = { stdout: '', stderr: '' };
  return {
    lines,
    output: { stdout: (text: string) => (lines.stdout += text), stderr: (text: string) => (lines.stderr += text) },
  };
}

describe('cli helpers', () => {
  it('reports bad input as one line with exit code 2, anything else as exit code 1', () => {
    const bad = capture();
    expect(reportError(new ValidationError("row 3 (line 4): column 'temperature' must be a number"), bad.output)).toBe(
      EXIT_BAD_INPUT,
    );
    expect(bad.lines.stderr).toBe("upkeep: row 3 (line 4): column 'temperature' must be a number\n");
    expect(reportError(new UpkeepError('cannot listen on 127.0.0.1:80: permission denied'), capture().output)).toBe(2);

    const unexpected = capture();
    expect(reportError(new TypeError('x is undefined\n    at somewhere'), unexpected.output)).toBe(EXIT_UNEXPECTED);
    expect(unexpected.lines.stderr).toBe('upkeep: unexpected error: x is undefined\n');
    expect(unexpected.lines.stdout).toBe('');
  });

  it('prints one JSON object per line', () => {
    const out = capture();
    printJson({ rows: 8, seconds: 0.1 }, out.output);
    expect(out.lines.stdout).toBe('{"rows":8,"seconds":0.1}\n');
  });

  it('formats counts and durations for summaries', () => {
    expect(formatCount(8000)).toBe('8,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(59_940)).toBe('59.9 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
  });

  it('parses whole-number options within bounds and rejects the rest as usage errors', () => {
    const port = integerOption('--port', 0, 65535);
    expect(port('0')).toBe(0);
    expect(port('8080')).toBe(8080);
    for (const bad of ['65536', '-1', '80.5', 'http', '', '1e3']) {
      expect(() => port(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => port('abc')).toThrow('--port must be a whole number from 0 to 65535, got "abc"');
  });
});
