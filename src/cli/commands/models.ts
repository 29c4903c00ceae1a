import type { Command } from 'commander';
import { type Clock, systemClock } from '../../core/clock.js';
import { registryVersion } from '../../jobs/train-job.js';
import { loadTrainedModel, readModelJson } from '../../models/artifact.js';
import { loadRulPipeline } from '../../models/rul/artifact.js';
import { RulPipeline } from '../../models/rul/pipeline.js';
import { openRegistry } from '../../store/open-registry.js';
import {
  type ModelRegistry,
  modelVersionJson,
  type NewModelVersion,
  type StoredJsonObject,
} from '../../store/registry.js';
import { action, DEFAULT_DB, type Output, openCliStore, printJson, printLine } from '../run.js';

export interface ModelsRegisterOptions {
  model: string;
  name: string;
  activate?: boolean;
  db: string;
  json?: boolean;
}

export interface ModelsListOptions {
  name?: string;
  db: string;
  json?: boolean;
}

async function withRegistry<T>(db: string, task: (registry: ModelRegistry) => Promise<T>): Promise<T> {
  const store = await openCliStore(db);
  try {
    return await task((await openRegistry(store)).registry);
  } finally {
    await store.close();
  }
}

/** The RUL pipeline in a model directory as a registry version: its held-out scores are the version's metrics. */
function rulVersion(name: string, pipeline: RulPipeline, createdAt: number, activate?: boolean): NewModelVersion {
  const { windows, truncated } = pipeline.card.validation;
  const metrics: Record<string, number> = {};
  if (windows) Object.assign(metrics, { rmse: windows.rmse, mae: windows.mae, coverage: windows.coverage });
  if (truncated) Object.assign(metrics, { rmse_at_cut: truncated.rmse, phm08: truncated.phm08 });
  return {
    name,
    kind: pipeline.card.kind,
    task: 'rul',
    metrics,
    card: JSON.parse(JSON.stringify(pipeline.card)) as StoredJsonObject,
    model: JSON.parse(JSON.stringify(pipeline.toJSON())) as StoredJsonObject,
    createdAt,
    ...(activate === undefined ? {} : { activate }),
  };
}

/**
 * Stores the model saved in a directory by `upkeep train` (tabular or RUL) as the next version of `name` in the
 * database a server uses; it becomes active when asked, or when the name has no active version yet.
 */
export async function runModelsRegister(options: ModelsRegisterOptions, output?: Output, clock: Clock = systemClock) {
  const json = await readModelJson(options.model);
  const version = RulPipeline.isRulJson(json)
    ? rulVersion(options.name, await loadRulPipeline(options.model), clock.now(), options.activate)
    : registryVersion(options.name, await loadTrainedModel(options.model), clock.now(), options.activate);
  const saved = await withRegistry(options.db, (registry) => registry.saveVersion(version));
  if (options.json) {
    printJson(modelVersionJson(saved), output);
    return;
  }
  printLine(`registered ${saved.id} (${saved.kind}, ${saved.task})${saved.active ? ', active' : ''}`, output);
}

export async function runModelsList(options: ModelsListOptions, output?: Output) {
  const versions = await withRegistry(options.db, (registry) =>
    registry.listVersions(options.name === undefined ? {} : { name: options.name }),
  );
  if (options.json) {
    printJson({ models: versions.map(modelVersionJson) }, output);
    return;
  }
  if (versions.length === 0) printLine('no models yet: register one with `upkeep models register`', output);
  for (const version of versions) {
    const metrics = Object.entries(version.metrics)
      .map(([metric, value]) => `${metric} ${Number(value.toPrecision(4))}`)
      .join(', ');
    printLine(`${version.id}  ${version.kind}  ${version.task}  ${metrics}${version.active ? '  active' : ''}`, output);
  }
}

export async function runModelsPromote(id: string, options: ModelsListOptions, output?: Output) {
  const promoted = await withRegistry(options.db, (registry) => registry.promote(id));
  if (options.json) {
    printJson(modelVersionJson(promoted), output);
    return;
  }
  printLine(`${promoted.id} is now the active ${promoted.name} model`, output);
}

export function registerModels(program: Command): Command {
  const models = program
    .command('models')
    .description('the model registry of the --db database (what a server serves)');
  const db = ['--db <path>', 'the database the server uses: DuckDB file or postgres://… URL', DEFAULT_DB] as const;
  models
    .command('register')
    .description('store a model directory written by `upkeep train` (tabular or RUL) as a new version')
    .requiredOption('--model <dir>', 'the model directory')
    .requiredOption('--name <name>', 'the name its versions share, e.g. failure-risk or rul')
    .option('--activate', 'make it the active version (default: only when the name has none)')
    .option(...db)
    .option('--json', 'print one JSON object')
    .action(action((options: ModelsRegisterOptions) => runModelsRegister(options)));
  models
    .command('list')
    .description('versions with their validation metrics, the active one marked')
    .option('--name <name>', 'only the versions of this name')
    .option(...db)
    .option('--json', 'print one JSON object')
    .action(action((options: ModelsListOptions) => runModelsList(options)));
  models
    .command('promote')
    .description('make a version the active one of its name')
    .argument('<id>', 'name@version, as listed')
    .option(...db)
    .option('--json', 'print one JSON object')
    .action(action((id: string, options: ModelsListOptions) => runModelsPromote(id, options)));
  return models;
}
