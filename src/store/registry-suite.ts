import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { JobRecord, JobStore } from './jobs.js';
import type { ModelRegistry, NewModelVersion } from './registry.js';

/** 2026-01-01T00:00:00Z in epoch ms: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

export interface RegistryFixture {
  registry: ModelRegistry;
  jobs: JobStore;
  close(): Promise<void>;
}

function newVersion(name: string, overrides: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    name,
    kind: 'LogisticRegression',
    task: 'classification',
    metrics: { roc_auc: 0.93, log_loss: 0.21 },
    card: { kind: 'LogisticRegression', featureNames: ['temperature', 'vibration'], rows: 1000 },
    model: { format: 1, weights: [0.1, -2.5e-8, 3] },
    createdAt: T0,
    ...overrides,
  };
}

function job(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    kind: 'train',
    state: 'queued',
    progress: 0,
    message: null,
    error: null,
    input: { name: 'failure-risk', target: 'failure' },
    result: null,
    createdAt: T0,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

/**
 * The behaviour every model registry and job store must have, run against fresh, empty ones from `factory` for
 * each test. DuckDB runs it in duckdb-registry.test.ts; the PostgreSQL store runs the same suite.
 */
export function runRegistrySuite(name: string, factory: () => Promise<RegistryFixture>): void {
  describe(`ModelRegistry contract: ${name}`, () => {
    let fixture: RegistryFixture;
    let registry: ModelRegistry;

    beforeEach(async () => {
      fixture = await factory();
      registry = fixture.registry;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('numbers versions per name from 1 and makes the first version of a name active', async () => {
      const first = await registry.saveVersion(newVersion('failure-risk'));
      const second = await registry.saveVersion(newVersion('failure-risk', { createdAt: T0 + 1000 }));
      const other = await registry.saveVersion(newVersion('rul', { task: 'rul', kind: 'LinearRegression' }));
      expect(first).toEqual({
        id: 'failure-risk@1',
        name: 'failure-risk',
        version: 1,
        kind: 'LogisticRegression',
        task: 'classification',
        metrics: { roc_auc: 0.93, log_loss: 0.21 },
        createdAt: T0,
        active: true,
      });
      expect(second).toMatchObject({ id: 'failure-risk@2', version: 2, active: false, createdAt: T0 + 1000 });
      expect(other).toMatchObject({ id: 'rul@1', version: 1, active: true, task: 'rul' });
    });

    it('lists versions by name then version, with the stored summary fields, filtered by name', async () => {
      await registry.saveVersion(newVersion('rul', { task: 'rul' }));
      await registry.saveVersion(newVersion('failure-risk'));
      await registry.saveVersion(newVersion('failure-risk', { metrics: { roc_auc: 0.95 }, createdAt: T0 + 5 }));
      const all = await registry.listVersions();
      expect(all.map((version) => version.id)).toEqual(['failure-risk@1', 'failure-risk@2', 'rul@1']);
      expect(all[1]).toEqual({
        id: 'failure-risk@2',
        name: 'failure-risk',
        version: 2,
        kind: 'LogisticRegression',
        task: 'classification',
        metrics: { roc_auc: 0.95 },
        createdAt: T0 + 5,
        active: false,
      });
      const filtered = await registry.listVersions({ name: 'rul' });
      expect(filtered.map((version) => version.id)).toEqual(['rul@1']);
      expect(await registry.listVersions({ name: 'nothing' })).toEqual([]);
    });

    it('gives back the card and the serialised model exactly as saved', async () => {
      const card = {
        kind: 'LogisticRegression',
        feature_names: ['température', 'vibration "x"'],
        nested: { list: [1, null, true, 'a'], empty: {} },
      };
      const model = { weights: [0.1 + 0.2, 1e-300, -0, 123456789.12345679, 2 ** -1074], base64: 'AAAA+/8=' };
      await registry.saveVersion(newVersion('failure-risk', { card, model }));
      const stored = await registry.getVersion('failure-risk@1');
      expect(stored?.card).toEqual(card);
      expect(stored?.model).toEqual(JSON.parse(JSON.stringify(model)));
      expect((stored?.model.weights as number[] | undefined)?.[0]).toBe(0.1 + 0.2);
      expect((stored?.model.weights as number[] | undefined)?.[4]).toBe(2 ** -1074);
      expect(stored).toMatchObject({ id: 'failure-risk@1', active: true, metrics: { roc_auc: 0.93, log_loss: 0.21 } });
    });

    it('answers undefined for unknown and malformed ids', async () => {
      await registry.saveVersion(newVersion('failure-risk'));
      expect(await registry.getVersion('failure-risk@2')).toBeUndefined();
      expect(await registry.getVersion('other@1')).toBeUndefined();
      for (const id of ['failure-risk', 'failure-risk@', 'failure-risk@0', 'failure-risk@x', '@1', "x'@1"]) {
        expect(await registry.getVersion(id)).toBeUndefined();
      }
      expect(await registry.getActive('other')).toBeUndefined();
    });

    it('promotes one version: it becomes the only active one of its name, other names untouched', async () => {
      for (let index = 0; index < 3; index++) await registry.saveVersion(newVersion('failure-risk'));
      await registry.saveVersion(newVersion('rul'));
      const promoted = await registry.promote('failure-risk@2');
      expect(promoted).toMatchObject({ id: 'failure-risk@2', version: 2, active: true });
      const versions = await registry.listVersions({ name: 'failure-risk' });
      expect(versions.map((version) => version.active)).toEqual([false, true, false]);
      expect((await registry.getActive('failure-risk'))?.id).toBe('failure-risk@2');
      expect((await registry.getActive('rul'))?.id).toBe('rul@1');
      // Promoting the active version again changes nothing.
      await registry.promote('failure-risk@2');
      expect((await registry.listVersions({ name: 'failure-risk' })).filter((version) => version.active)).toHaveLength(
        1,
      );
    });

    it('rejects promoting an unknown or malformed id with NotFoundError', async () => {
      await registry.saveVersion(newVersion('failure-risk'));
      await expect(registry.promote('failure-risk@9')).rejects.toThrow(NotFoundError);
      await expect(registry.promote('failure-risk@9')).rejects.toThrow(/unknown model "failure-risk@9"/);
      await expect(registry.promote('nonsense')).rejects.toThrow(NotFoundError);
      expect((await registry.getActive('failure-risk'))?.id).toBe('failure-risk@1');
    });

    it('activates a new version on save when asked, deactivating the previous one', async () => {
      await registry.saveVersion(newVersion('failure-risk'));
      const second = await registry.saveVersion(newVersion('failure-risk', { activate: true }));
      expect(second.active).toBe(true);
      const versions = await registry.listVersions({ name: 'failure-risk' });
      expect(versions.map((version) => version.active)).toEqual([false, true]);
    });

    it('numbers concurrent saves without gaps or repeats and keeps exactly one active version', async () => {
      const saved = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          registry.saveVersion(newVersion('failure-risk', { activate: index % 2 === 0 })),
        ),
      );
      expect(saved.map((version) => version.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      const versions = await registry.listVersions({ name: 'failure-risk' });
      expect(versions.filter((version) => version.active)).toHaveLength(1);
    });

    it('keeps exactly one active version under concurrent promotions', async () => {
      for (let index = 0; index < 4; index++) await registry.saveVersion(newVersion('failure-risk'));
      await Promise.all([1, 2, 3, 4].map((version) => registry.promote(`failure-risk@${version}`)));
      const versions = await registry.listVersions({ name: 'failure-risk' });
      expect(versions.filter((version) => version.active)).toHaveLength(1);
    });

    it('rejects a bad name or a non-finite metric with a ValidationError naming the field', async () => {
      await expect(registry.saveVersion(newVersion('bad name'))).rejects.toThrow(ValidationError);
      await expect(registry.saveVersion(newVersion('x@1'))).rejects.toThrow(/'name' must be .*got "x@1"/);
      await expect(registry.saveVersion(newVersion('ok', { metrics: { auc: Number.NaN } }))).rejects.toThrow(
        /metric 'auc' must be a finite number, got NaN/,
      );
      expect(await registry.listVersions()).toEqual([]);
    });
  });

  describe(`JobStore contract: ${name}`, () => {
    let fixture: RegistryFixture;
    let jobs: JobStore;

    beforeEach(async () => {
      fixture = await factory();
      jobs = fixture.jobs;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('stores a job and gives it back field for field', async () => {
      const record = job('a', { message: 'waiting', result: { model_id: 'x@1', scores: [1, 2.5] } });
      await jobs.createJob(record);
      expect(await jobs.getJob('a')).toEqual(record);
      expect(await jobs.getJob('missing')).toBeUndefined();
    });

    it('updates only the given fields and returns the whole record', async () => {
      await jobs.createJob(job('a'));
      const running = await jobs.updateJob('a', { state: 'running', startedAt: T0 + 10, progress: 0.25 });
      expect(running).toEqual(job('a', { state: 'running', startedAt: T0 + 10, progress: 0.25 }));
      const done = await jobs.updateJob('a', {
        state: 'succeeded',
        progress: 1,
        result: { model_id: 'failure-risk@1' },
        finishedAt: T0 + 20,
        message: null,
      });
      expect(done).toEqual(
        job('a', {
          state: 'succeeded',
          progress: 1,
          startedAt: T0 + 10,
          finishedAt: T0 + 20,
          result: { model_id: 'failure-risk@1' },
        }),
      );
      expect(await jobs.getJob('a')).toEqual(done);
    });

    it('rejects updating an unknown job with NotFoundError and a bad progress with ValidationError', async () => {
      await expect(jobs.updateJob('missing', { progress: 0.5 })).rejects.toThrow(NotFoundError);
      await jobs.createJob(job('a'));
      await expect(jobs.updateJob('a', { progress: 1.5 })).rejects.toThrow(/'progress' must be .*got 1.5/);
    });

    it('lists jobs newest first, filtered by kind and state, up to a limit', async () => {
      await jobs.createJob(job('old', { createdAt: T0 }));
      await jobs.createJob(job('new', { createdAt: T0 + 2, state: 'running' }));
      await jobs.createJob(job('mid', { createdAt: T0 + 1, kind: 'predict' }));
      expect((await jobs.listJobs()).map((record) => record.id)).toEqual(['new', 'mid', 'old']);
      expect((await jobs.listJobs({ kind: 'train' })).map((record) => record.id)).toEqual(['new', 'old']);
      expect((await jobs.listJobs({ state: 'running' })).map((record) => record.id)).toEqual(['new']);
      expect((await jobs.listJobs({ limit: 1 })).map((record) => record.id)).toEqual(['new']);
    });

    it('marks queued and running jobs failed with the reason, leaving finished ones alone', async () => {
      await jobs.createJob(job('queued'));
      await jobs.createJob(job('running', { state: 'running', startedAt: T0 }));
      await jobs.createJob(job('done', { state: 'succeeded', progress: 1, finishedAt: T0 + 1 }));
      await jobs.createJob(job('cancelled', { state: 'cancelled', finishedAt: T0 + 1, error: 'cancelled' }));
      expect(await jobs.failUnfinishedJobs('interrupted by a server restart', T0 + 99)).toBe(2);
      for (const id of ['queued', 'running']) {
        expect(await jobs.getJob(id)).toMatchObject({
          state: 'failed',
          error: 'interrupted by a server restart',
          finishedAt: T0 + 99,
        });
      }
      expect((await jobs.getJob('done'))?.state).toBe('succeeded');
      expect(await jobs.getJob('cancelled')).toMatchObject({ state: 'cancelled', error: 'cancelled' });
      expect(await jobs.failUnfinishedJobs('again', T0 + 100)).toBe(0);
    });
  });
}
