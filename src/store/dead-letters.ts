/** A message that could not be ingested, kept with the reason and the bytes exactly as received. */
export interface NewDeadLetter {
  /** Epoch milliseconds when Upkeep received the message. */
  receivedAt: number;
  /** Where it came from, e.g. 'mqtt'. */
  source: string;
  /** The MQTT topic (or another source's subject) it arrived on. */
  topic: string;
  /** Why it was rejected: the parse or validation error message. */
  reason: string;
  payload: Uint8Array;
}

export interface DeadLetter extends NewDeadLetter {
  /** Increasing in insertion order. */
  id: number;
}

export interface DeadLetterQuery {
  /** Most rows returned, newest first. */
  limit?: number;
}

/**
 * Rejected messages beside the readings. Once `add` resolves the letters are durable: a source acknowledges a
 * malformed message only after that.
 */
export interface DeadLetterStore {
  add(letters: readonly NewDeadLetter[]): Promise<void>;
  /** Newest first. */
  list(query?: DeadLetterQuery): Promise<DeadLetter[]>;
  count(): Promise<number>;
}

export const DEFAULT_DEAD_LETTER_PAGE = 100;
