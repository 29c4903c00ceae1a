import { describe, expect, it } from 'vitest';
import { frameToCsv } from '../../io/csv-frame.js';
import { categoryFromText, Frame, numericColumn } from '../../io/frame.js';
import { trainModel } from '../../models/train.js';
import { formatExplanation, predictionFrame } from './predict.js';

const frame = new Frame([
  numericColumn('UDI', [1, 2, 3, 4, 5, 6, 7, 8]),
  categoryFromText('machine_id', ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd']),
  numericColumn('torque', [10, 12, 30, 35, 11, 40, 13, 38]),
  numericColumn('failed', [0, 0, 1, 1, 0, 1, 0, 1]),
]);
const model = trainModel(frame, { target: 'failed', drop: ['UDI'], model: 'logistic', validation: { method: 'none' } });

describe('predictionFrame', () => {
  it('puts the id columns first, then the label at the threshold and the probability', () => {
    expect(model.card.idColumns).toEqual(['UDI', 'machine_id']);
    const table = predictionFrame(model, frame);
    expect(table.names).toEqual(['UDI', 'machine_id', 'prediction', 'probability']);
    const { prediction, probability } = model.predictFrame(frame);
    expect(Array.from(table.numeric('prediction'))).toEqual(Array.from(prediction));
    expect(Array.from(table.numeric('probability'))).toEqual(Array.from(probability as Float64Array));
    expect(Array.from(prediction)).toEqual([0, 0, 1, 1, 0, 1, 0, 1]);
    expect(frameToCsv(table).split('\n')[1]).toMatch(/^1,a,0,0\.\d+$/);
  });

  it('leaves out id columns the input does not have; a regressor has no probability', () => {
    const table = predictionFrame(model, frame.select(['torque']));
    expect(table.names).toEqual(['prediction', 'probability']);
    const regressor = trainModel(frame, { target: 'torque', drop: ['UDI'], model: 'linear' });
    expect(predictionFrame(regressor, frame).names).toEqual(['UDI', 'machine_id', 'prediction']);
  });
});

describe('explanations', () => {
  it('formats signed contributions to two decimals, largest first as given', () => {
    const text = formatExplanation({
      contributions: [
        { feature: 'Torque [Nm]', value: 1.304 },
        { feature: 'Tool wear [min]', value: 0.8951 },
        { feature: 'Rotational speed [rpm]', value: -0.2 },
      ],
      bias: -3,
      margin: -1,
    });
    expect(text).toBe('Torque [Nm] +1.30; Tool wear [min] +0.90; Rotational speed [rpm] -0.20');
  });

  it('adds an explanation column from the model', () => {
    const table = predictionFrame(model, frame, { top: 1 });
    expect(table.names).toEqual(['UDI', 'machine_id', 'prediction', 'probability', 'explanation']);
    const expected = model.explain(frame, 1).map(formatExplanation);
    const column = table.column('explanation');
    if (column.kind !== 'category') throw new Error('explanation must be text');
    expect(Array.from(column.codes, (code) => column.levels[code])).toEqual(expected);
    expect(expected[0]).toMatch(/^(torque|machine_id\S*) [+-]\d+\.\d\d$/);
  });
});
