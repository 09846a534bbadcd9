import { ApiError } from '../api/errors.js';
import { itemSchemaOf } from '../domain/data-source-schema.js';
import { compileItemSchema, schemaMismatch } from '../domain/item-schema.js';
import { newId } from '../domain/ids.js';
import type { OutputItemListQuery, RunCreateParams, RunDataSource, RunListQuery } from '../schemas/index.js';
import type { EvalRecord, RunRecord, Store } from '../storage/index.js';
import type { EvalsService } from './evals.js';
import { checkItemReference, checkTemplates, messageTemplates } from './template-checks.js';
import { itemToWire, listOf, listOfJson, runToJson } from './wire.js';

/** What the runs service needs of the engine: a nudge when work appears, a stop when a run must end. */
export interface EngineHandle {
  notify(): void;
  abortLocal(runId: string): void;
}

/** Runs and their output items. */
export class RunsService {
  constructor(
    private readonly store: Store,
    private readonly evals: EvalsService,
    private readonly engine: EngineHandle,
    private readonly reportBase: () => string,
    /** Resolves once the gateway's queued logs are stored: a run over logs then selects every call answered before it was created. */
    private readonly logsWritten: () => Promise<void> = () => Promise.resolve(),
    /** Called after a run is deleted: the engine purges its items in the background (RunPurger). */
    private readonly deleted: () => void = () => {},
  ) {}

  async create(project: string, evalId: string, params: RunCreateParams) {
    const evalRecord = await this.evals.record(project, evalId);
    await this.checkDataSource(project, evalRecord, params.data_source);
    const createdMs = Date.now();
    const id = newId('evalrun_', createdMs);
    const model = 'model' in params.data_source ? params.data_source.model ?? null : null;
    const record: RunRecord = {
      id, eval_id: evalId, project,
      // OpenAI names a run after its model when it has one; a jsonl run samples none.
      name: params.name ?? model ?? `jsonl-run-${id.slice(-8)}`,
      model: model ?? '',
      status: 'queued',
      data_source: normaliseDataSource(params.data_source),
      metadata: params.metadata === undefined ? {} : params.metadata,
      error: null,
      counts: { total: 0, passed: 0, failed: 0, errored: 0 },
      per_criteria: null, per_model_usage: null,
      created_at: Math.floor(createdMs / 1000), updated_at: Math.floor(createdMs / 1000),
      lease_owner: null, lease_expires_at: null,
    };
    await this.store.runs.insert(record);
    this.engine.notify();
    return runToJson(record, this.reportBase());
  }

  async record(project: string, evalId: string, runId: string): Promise<RunRecord> {
    const run = await this.store.runs.get(project, evalId, runId);
    if (!run) throw ApiError.notFound('eval run', runId, 'run_id');
    return run;
  }

  async retrieve(project: string, evalId: string, runId: string) {
    return runToJson(await this.record(project, evalId, runId), this.reportBase());
  }

  async list(project: string, evalId: string, query: RunListQuery) {
    await this.evals.record(project, evalId);
    const page = await this.store.runs.list(project, evalId, query);
    return listOfJson(page, page.rows.map((r) => r.id), page.rows.map((r) => runToJson(r, this.reportBase())));
  }

  /** Cancels a queued or running run (what was done is kept); a finished run is returned as it is. */
  async cancel(project: string, evalId: string, runId: string) {
    const run = await this.store.runs.cancel(project, evalId, runId, Math.floor(Date.now() / 1000));
    if (!run) throw ApiError.notFound('eval run', runId, 'run_id');
    this.engine.abortLocal(runId);
    await releaseFiles(this.store);
    return runToJson(run, this.reportBase());
  }

  async delete(project: string, evalId: string, runId: string) {
    await this.record(project, evalId, runId);
    this.engine.abortLocal(runId);
    if (!(await this.store.runs.delete(project, evalId, runId))) throw ApiError.notFound('eval run', runId, 'run_id');
    this.deleted();
    await releaseFiles(this.store);
    return { object: 'eval.run.deleted' as const, deleted: true, run_id: runId };
  }

  async listItems(project: string, evalId: string, runId: string, query: OutputItemListQuery) {
    await this.record(project, evalId, runId);
    const page = await this.store.items.list(project, evalId, runId, query);
    return listOf(page, page.rows.map(itemToWire));
  }

  async retrieveItem(project: string, evalId: string, runId: string, itemId: string) {
    const item = await this.store.items.get(project, evalId, runId, itemId);
    if (!item) throw ApiError.notFound('output item', itemId, 'output_item_id');
    return itemToWire(item);
  }

  /** The checks a run must pass before it is queued: a readable source, rows that fit the item schema, a model. */
  private async checkDataSource(project: string, evalRecord: EvalRecord, ds: RunDataSource): Promise<void> {
    const source = ds.source;
    if (source.type === 'stored_completions' || source.type === 'responses') {
      // Over logs, input_messages is optional: without it the run grades the stored answers.
      if (ds.type !== 'jsonl' && ds.input_messages && !ds.model) throw ApiError.invalid('data_source.model', `Re-sampling logs with input_messages needs a 'model'.`, 'missing_required_parameter');
      if (ds.type !== 'jsonl' && !ds.input_messages && ds.model) throw ApiError.invalid('data_source.input_messages', `A run over logs samples '${ds.model}' only with input_messages (e.g. {"type":"item_reference","item_reference":"item.input"}); omit 'model' to grade the stored answers.`, 'missing_required_parameter');
      await this.logsWritten();
      return;
    }
    if (source.type === 'file_id') {
      const file = await this.store.files.get(project, source.id, Math.floor(Date.now() / 1000));
      if (!file) throw ApiError.invalid('data_source.source.id', `No file found with id '${source.id}'.`, 'file_not_found');
    }
    if (source.type === 'file_content') {
      const schema = itemSchemaOf(evalRecord.data_source_config);
      if (schema) {
        const validate = compileItemSchema(schema);
        for (let i = 0; i < source.content.length; i++) {
          const mismatch = schemaMismatch(validate, source.content[i]!.item);
          if (mismatch) throw ApiError.invalid(`data_source.source.content[${i}].item`, `Row ${i} does not match the eval's item schema: ${mismatch}.`);
        }
      }
    }
    if (ds.type !== 'jsonl') {
      if (!ds.model) throw ApiError.invalid('data_source.model', `A '${ds.type}' run samples a model: 'model' is required.`, 'missing_required_parameter');
      if (!ds.input_messages) throw ApiError.invalid('data_source.input_messages', `A '${ds.type}' run needs 'input_messages' (a template or an item_reference).`, 'missing_required_parameter');
      if (ds.type === 'completions' && ds.modalities?.includes('audio') && !ds.audio) {
        throw ApiError.invalid('data_source.audio', "Audio output (modalities includes 'audio') needs 'audio': {voice, format}.", 'missing_required_parameter');
      }
      const itemSchema = itemSchemaOf(evalRecord.data_source_config);
      if (ds.input_messages.type === 'template') {
        checkTemplates(messageTemplates(ds.input_messages.template, 'data_source.input_messages.template'), { namespaces: ['item'], itemSchema });
      } else {
        checkItemReference(ds.input_messages.item_reference, itemSchema, 'data_source.input_messages.item_reference');
      }
    }
  }
}

/**
 * Removes deleted files that waited for a run that has just ended (FilesRepo.delete). Best effort: the
 * engine purges again whenever a run ends, so a failure here only delays it.
 */
export async function releaseFiles(store: Store): Promise<void> {
  await store.files.purgeDeleted().catch(() => {});
}

/** The data source as a run echoes it: `sampling_params` null when omitted (jsonl has none). */
function normaliseDataSource(ds: RunDataSource): Record<string, unknown> {
  if (ds.type === 'jsonl') return ds;
  return { ...ds, sampling_params: ds.sampling_params ?? null };
}
