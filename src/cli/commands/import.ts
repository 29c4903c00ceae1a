import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { UpkeepError, ValidationError } from '../../core/errors.js';
import { DEFAULT_BATCH_SIZE, openWideCsv, type WideCsvLayout } from '../../io/wide-csv.js';
import { Progress, progressWanted } from '../progress.js';
import {
  action,
  DEFAULT_DB,
  formatCount,
  formatDuration,
  integerOption,
  openCliStore,
  printJson,
  printLine,
} from '../run.js';

export interface ImportOptions {
  format: string;
  id?: string;
  time?: string;
  db: string;
  batch: number;
  json?: boolean;
}

/** What an import did; also the `--json` answer. */
export interface ImportSummary {
  file: string;
  db: string;
  rows: number;
  /** Metric values read (empty cells excluded). */
  values: number;
  /** Values newly stored; `values − accepted` were already stored under the same (asset, metric, ts). */
  accepted: number;
  duplicates: number;
  assets: number;
  metrics: string[];
  attributes: string[];
  seconds: number;
}

const FORMATS = ['csv'] as const;

/** Imports a wide CSV file into the store batch by batch; batches stored before an error stay stored. */
export async function importFile(file: string, options: ImportOptions): Promise<ImportSummary> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new ValidationError(`unknown import format '${options.format}' (known: ${FORMATS.join(', ')})`, [
      { path: 'format', message: 'unknown format' },
    ]);
  }
  const opened = await openWideCsv(file, {
    idColumn: options.id,
    timeColumn: options.time,
    batchSize: options.batch,
    receivedAt: systemClock.now(),
  });
  const store = await openCliStore(options.db);
  const progress = new Progress({ total: opened.size, itemName: 'rows', enabled: progressWanted(options.json) });
  const assets = new Set<string>();
  let values = 0;
  let accepted = 0;
  let duplicates = 0;
  let rowsStored = 0;
  let layout: WideCsvLayout | undefined;
  // Parsing the next batch overlaps with storing the current one (the store writes on its own threads).
  const batches = opened.batches;
  // A parse error of the next batch must wait for the current batch's write, not escape as an unhandled rejection.
  const prefetch = () => {
    const next = batches.next();
    next.catch(() => undefined);
    return next;
  };
  let upcoming = prefetch();
  try {
    for (;;) {
      const step = await upcoming;
      if (step.done) break;
      const batch = step.value;
      upcoming = prefetch();
      layout = batch.layout;
      // Appending registers new asset ids; only assets with attributes need an upsert.
      const described = batch.assets.filter((asset) => Object.keys(asset.attributes).length > 0);
      if (described.length > 0) await store.upsertAssets(described);
      for (const asset of batch.assets) assets.add(asset.id);
      if (batch.readings.length > 0) {
        const result = await store.appendReadings(batch.readings);
        accepted += result.accepted;
        duplicates += result.duplicates;
        values += result.accepted + result.duplicates;
      }
      rowsStored = batch.rowsRead;
      progress.update(batch.bytesRead, batch.rowsRead);
    }
  } catch (error) {
    if (error instanceof UpkeepError && rowsStored > 0) {
      throw new ValidationError(
        `${error.message} (the first ${formatCount(rowsStored)} rows were imported)`,
        error.details,
      );
    }
    throw error;
  } finally {
    await batches.return(undefined).catch(() => undefined);
    progress.stop();
    await store.close();
  }
  return {
    file,
    db: options.db,
    rows: rowsStored,
    values,
    accepted,
    duplicates,
    assets: assets.size,
    metrics: layout?.metricColumns ?? [],
    attributes: layout?.attributeColumns ?? [],
    seconds: Math.round(progress.elapsedMs) / 1000,
  };
}

export function registerImport(program: Command): Command {
  return program
    .command('import')
    .description('import a data file of readings into the store')
    .argument('<file>', 'the file to import')
    .option('--format <format>', `file format (${FORMATS.join(', ')})`, 'csv')
    .option('--id <column>', 'column naming the asset (default: asset, sensor_id, asset_id, machine_id or unit)')
    .option('--time <column>', 'column with the time (default: ts, timestamp, time or measurement_time)')
    .option('--db <path>', 'DuckDB file, :memory: or postgres://… URL', DEFAULT_DB)
    .option('--batch <rows>', 'rows stored per transaction', integerOption('--batch', 1, 1_000_000), DEFAULT_BATCH_SIZE)
    .option('--json', 'print one JSON object instead of a summary line')
    .action(
      action(async (file: string, options: ImportOptions) => {
        const summary = await importFile(file, options);
        if (options.json) {
          printJson(summary);
          return;
        }
        printLine(
          `imported ${formatCount(summary.rows)} rows → ${formatCount(summary.values)} values ` +
            `(${formatCount(summary.duplicates)} duplicates) for ${formatCount(summary.assets)} assets ` +
            `in ${formatDuration(summary.seconds * 1000)}`,
        );
      }),
    );
}
