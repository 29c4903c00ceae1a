import type { Reading } from '../../src/core/reading.js';
import type { AppendResult, Store } from '../../src/store/store.js';

/** A store whose first `failures` appends fail (nothing written); everything else goes to `inner`. */
export function flakyStore(inner: Store, failures: number): Store {
  let left = failures;
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'appendReadings') {
        return async (readings: readonly Reading[]): Promise<AppendResult> => {
          if (left > 0) {
            left--;
            throw new Error('disk full');
          }
          return target.appendReadings(readings);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
