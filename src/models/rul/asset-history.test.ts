import { describe, expect, it } from 'vitest';
import { SensorNormaliser } from '../../features/normalise-sensors.js';
import { assetRunData } from './asset-history.js';
import type { RulEstimator } from './estimator.js';
import { type RulCard, RulPipeline } from './pipeline.js';

/** A pipeline reading sensors a and b with one operating condition (setting1 is read but not required). */
function pipeline(): RulPipeline {
  const columns = ['setting1', 'a', 'b'];
  const normaliser = new SensorNormaliser({
    conditionColumns: ['setting1'],
    conditions: { method: 'grid', step: 1 },
  }).fit([Float64Array.from([0, 1, 2, 0, 3, 5, 0, 4, 1])], columns);
  const config = { window: { length: 2, stride: 1 }, cap: 125, level: 0.9, inputColumns: columns, sensors: ['a', 'b'] };
  return new RulPipeline(normaliser, config, {} as RulEstimator, {} as RulCard);
}

describe('assetRunData', () => {
  it('keeps the timestamps where every needed sensor has a value, in time order, filling unused columns with 0', () => {
    const model = pipeline();
    expect(model.requiredColumns).toEqual(['a', 'b']);
    const values = [
      { ts: 30, metric: 'a', value: 3 },
      { ts: 10, metric: 'a', value: 1 },
      { ts: 10, metric: 'b', value: 10 },
      { ts: 20, metric: 'a', value: 2 },
      { ts: 30, metric: 'b', value: 30 },
      { ts: 30, metric: 'setting1', value: 0.5 },
      { ts: 40, metric: 'temperature', value: 70 },
    ];
    const data = assetRunData(model, values);
    expect(data?.columns).toEqual(['setting1', 'a', 'b']);
    const [unit] = data?.units ?? [];
    // ts 20 lacks b and ts 40 has neither: rows at 10 and 30, numbered as cycles 1 and 2.
    expect(Array.from(unit?.cycles ?? [])).toEqual([1, 2]);
    expect(Array.from(unit?.values ?? [])).toEqual([0, 1, 10, 0.5, 3, 30]);
    expect(Array.from(assetRunData(model, values, 1)?.units[0]?.values ?? [])).toEqual([0.5, 3, 30]);
  });

  it('is undefined when no timestamp has every needed sensor', () => {
    expect(assetRunData(pipeline(), [{ ts: 1, metric: 'a', value: 1 }])).toBeUndefined();
    expect(assetRunData(pipeline(), [])).toBeUndefined();
  });
});
