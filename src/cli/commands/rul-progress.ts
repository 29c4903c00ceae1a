import cliProgress from 'cli-progress';
import type { EpochProgress } from '../../models/sequence/estimator.js';

function formatLoss(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(2);
}

/**
 * The bar of a RUL training on stderr: epoch (or boosting round) of the total, the epoch's training loss, the
 * validation RMSE and the ETA; it restarts when the phase changes (fit on 80 % of the engines, then the refit).
 */
export class EpochBar {
  private bar: cliProgress.SingleBar | undefined;
  private phase: string | undefined;

  constructor(
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(progress: EpochProgress & { phase: string }): void {
    if (this.phase !== progress.phase) {
      this.bar?.stop();
      this.phase = progress.phase;
      this.bar = new cliProgress.SingleBar(
        {
          format: `${progress.phase.padEnd(5)} {bar} ${this.unit} {value}/{total} | loss {loss} | val RMSE {rmse} | ETA {eta_formatted}`,
          stream: this.stream,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 20,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(1, progress.epochs), 0, { loss: '–', rmse: '–' });
    }
    this.bar?.update(progress.epoch, {
      loss: formatLoss(progress.loss),
      rmse: formatLoss(progress.validationRmse),
    });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
