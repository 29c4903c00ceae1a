// The batch in columns: each metric's values across the readings, and where each reading's metrics went.

/** The values of one metric across the batch, in reading order. */
export interface MetricColumn {
  name: string;
  /** Position in `Columns.list`. */
  index: number;
  values: Float64Array;
  count: number;
  scores: Float64Array;
  /** The last reading that gave a value (a repeated field within one reading is caught by it). */
  lastReading: number;
}

/** Metric columns allocated at the batch's size up front; later ones grow from small. */
const FULL_SIZE_COLUMNS = 8;

/** A copy of `array` with room for at least `needed` elements (twice the length, at least 16). */
export function grown<T extends Float64Array | Int32Array>(array: T, needed: number): T {
  const larger = new (array.constructor as new (length: number) => T)(Math.max(2 * array.length, needed, 16));
  larger.set(array);
  return larger;
}

/**
 * Each reading's metric values appended to its metric's column, and for each reading the (column, position) of
 * its metrics in the reading's own field order, so results are written without lookups. Arrays grow by doubling.
 */
export class Columns {
  readonly byName = new Map<string, MetricColumn>();
  readonly list: MetricColumn[] = [];
  /** Reading r's metrics are slots [slotStart[r], slotStart[r + 1]). */
  slotStart: Int32Array;
  slotColumn: Int32Array;
  slotPosition: Int32Array;
  slotCount = 0;
  readingCount = 0;
  private readonly expectedReadings: number;

  constructor(expectedReadings: number) {
    this.expectedReadings = Math.max(expectedReadings, 16);
    this.slotStart = new Int32Array(this.expectedReadings + 1);
    this.slotColumn = new Int32Array(this.expectedReadings * 3);
    this.slotPosition = new Int32Array(this.expectedReadings * 3);
  }

  column(name: string): MetricColumn {
    let column = this.byName.get(name);
    if (column === undefined) {
      column = {
        name,
        index: this.list.length,
        // The first few metrics get room for the whole batch; further ones (a batch of many distinct names) start
        // small, so memory stays proportional to the values actually given.
        values: new Float64Array(this.list.length < FULL_SIZE_COLUMNS ? this.expectedReadings : 16),
        count: 0,
        scores: new Float64Array(0),
        lastReading: -1,
      };
      this.byName.set(name, column);
      this.list.push(column);
    }
    return column;
  }

  beginReading(): void {
    if (this.readingCount + 2 > this.slotStart.length) this.slotStart = grown(this.slotStart, this.readingCount + 2);
    this.slotStart[this.readingCount] = this.slotCount;
  }

  endReading(): void {
    this.readingCount++;
    this.slotStart[this.readingCount] = this.slotCount;
  }

  add(column: MetricColumn, value: number): void {
    if (this.slotCount === this.slotColumn.length) {
      this.slotColumn = grown(this.slotColumn, this.slotCount + 1);
      this.slotPosition = grown(this.slotPosition, this.slotCount + 1);
    }
    if (column.count === column.values.length) column.values = grown(column.values, column.count + 1);
    this.slotColumn[this.slotCount] = column.index;
    this.slotPosition[this.slotCount] = column.count;
    this.slotCount++;
    column.values[column.count++] = value;
    column.lastReading = this.readingCount;
  }
}
