/**
 * Group commit, as both telemetry stores do it: appends that arrive while a commit runs wait, then are written
 * together (in call order) by the next one, each keeping its own accepted/duplicate counts.
 */
import type { AppendResult } from './store.js';

/** Appends waiting together are committed in one transaction, up to this many values. */
export const MAX_GROUP_VALUES = 200_000;

interface PendingAppend<B> {
  batch: B;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Removes from the front of `pending` the next group to commit together: at least one append, then more while the
 * group stays within MAX_GROUP_VALUES values. O(group).
 */
export function takeGroup<T>(pending: T[], size: (item: T) => number): T[] {
  let values = 0;
  let take = 0;
  while (take < pending.length && (take === 0 || values + size(pending[take] as T) <= MAX_GROUP_VALUES)) {
    values += size(pending[take] as T);
    take++;
  }
  return pending.splice(0, take);
}

/**
 * Queues encoded batches and commits them a group at a time through `write`, which returns one result per batch
 * (in order) or throws, failing every append of the group.
 */
export class GroupCommit<B> {
  private readonly pending: PendingAppend<B>[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    /** Values in a batch. */
    private readonly size: (batch: B) => number,
    private readonly write: (batches: B[]) => Promise<AppendResult[]>,
  ) {}

  /** Resolves with the batch's counts once the transaction holding it has committed. */
  submit(batch: B): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.draining) this.draining = this.drain();
    });
  }

  /** Resolves once every append submitted so far has settled. */
  async settled(): Promise<void> {
    await this.draining;
  }

  /** Commits waiting appends, a group at a time in call order, until none is left. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = takeGroup(this.pending, (append) => this.size(append.batch));
        try {
          const results = await this.write(group.map((append) => append.batch));
          group.forEach((append, index) => {
            append.resolve(results[index] as AppendResult);
          });
        } catch (error) {
          for (const append of group) append.reject(error);
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
