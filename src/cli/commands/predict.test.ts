import { describe, expect, it } from 'vitest';
import { frameToCsv } from '../../io/csv-frame.js';
import { categoryFromText, Frame, numericColumn } from '../../io/frame.js';
import { trainModel } from '../../models/train.js';
import { predictionFrame } from './predict.js';

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
