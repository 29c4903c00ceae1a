import { DIGIT_ZERO, DOT } from './json-bytes.js';
import { scoreTenThousandths } from './score-rounding.js';

/** A growable byte buffer for the response: constants, copied bytes and digits, no intermediate strings. */
export class ByteWriter {
  private buffer: Buffer;
  private position = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  /** Makes room for `extra` more bytes; the writes below assume it was made. */
  reserve(extra: number): void {
    if (this.position + extra <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.position + extra));
    this.buffer.copy(larger, 0, 0, this.position);
    this.buffer = larger;
  }

  /** Bytes [start, end) of `source`: a plain loop for short runs, where Buffer#copy's call costs more than it saves. */
  copy(source: Uint8Array, start: number, end: number): void {
    if (end - start > 24) {
      this.buffer.set(source.subarray(start, end), this.position);
      this.position += end - start;
      return;
    }
    const buffer = this.buffer;
    let position = this.position;
    for (let index = start; index < end; index++) buffer[position++] = source[index];
    this.position = position;
  }

  /** A constant (one native copy: cheaper than a byte loop from about 8 bytes on). */
  constant(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.position);
    this.position += bytes.length;
  }

  byte(value: number): void {
    this.buffer[this.position++] = value;
  }

  /** Any text, UTF-8 encoded (makes its own room). */
  text(value: string): void {
    this.reserve(Buffer.byteLength(value));
    this.position += this.buffer.write(value, this.position);
  }

  /** A non-negative integer below 2³¹ in decimal. */
  private smallInteger(value: number): void {
    let divisor = 1;
    while (divisor * 10 <= value) divisor *= 10;
    const buffer = this.buffer;
    let position = this.position;
    for (; divisor >= 1; divisor = (divisor / 10) | 0) {
      const digit = (value / divisor) | 0;
      buffer[position++] = DIGIT_ZERO + digit;
      value -= digit * divisor;
    }
    this.position = position;
  }

  /** A score rounded to 4 decimals, trailing zeros dropped (`null` if it overflowed); needs 32 bytes of room. */
  score(score: number): void {
    const tenThousandths = scoreTenThousandths(score);
    if (tenThousandths < 0) {
      const fixed = Number.isFinite(score) ? score.toFixed(4) : 'null';
      this.text(fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed);
      return;
    }
    // Below 10⁹ (see scoreTenThousandths): int32 arithmetic throughout.
    const whole = (tenThousandths / 10_000) | 0;
    let fraction = tenThousandths - whole * 10_000;
    this.smallInteger(whole);
    if (fraction === 0) return;
    const buffer = this.buffer;
    let position = this.position;
    buffer[position++] = DOT;
    for (let divisor = 1000; fraction > 0; divisor = (divisor / 10) | 0) {
      const digit = (fraction / divisor) | 0;
      buffer[position++] = DIGIT_ZERO + digit;
      fraction -= digit * divisor;
    }
    this.position = position;
  }

  /** The bytes written (a view, no copy). */
  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.position);
  }
}
