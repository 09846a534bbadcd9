import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { deriveDataSourceConfig } from '../domain/data-source-schema.js';
import { compileItemSchema } from '../domain/item-schema.js';
import { newId } from '../domain/ids.js';
import { NAMESPACES } from '../domain/template.js';
import type { EvalCreateParams, EvalListQuery, EvalUpdateParams } from '../schemas/index.js';
import type { EvalRecord, Store } from '../storage/index.js';
import { checkPythonSources, pythonSources, type PythonSourceChecker } from './python-checks.js';
import { checkTemplates, graderTemplates } from './template-checks.js';
import { evalToWire, listOf } from './wire.js';

const nowS = () => Math.floor(Date.now() / 1000);

/** The Evals resource: create, read, list, update (name, metadata), delete (with its runs and items). */
export class EvalsService {
  constructor(
    private readonly store: Store,
    private readonly checkPython: PythonSourceChecker,
    /** Called after an eval is deleted: the engine purges its runs' items in the background (RunPurger). */
    private readonly deleted: () => void = () => {},
  ) {}

  async create(project: string, params: EvalCreateParams) {
    if (params.data_source_config.type === 'custom') {
      try {
        compileItemSchema(params.data_source_config.item_schema);
      } catch (e) {
        throw ApiError.invalid('data_source_config.item_schema', `item_schema is not a valid JSON Schema: ${(e as Error).message}`);
      }
    }
    const itemSchema = params.data_source_config.type === 'custom' ? params.data_source_config.item_schema : null;
    params.testing_criteria.forEach((c, i) => checkTemplates(graderTemplates(c, `testing_criteria[${i}]`), { namespaces: NAMESPACES, itemSchema }));
    await checkPythonSources(params.testing_criteria.flatMap((c, i) => pythonSources(c, `testing_criteria[${i}]`)), this.checkPython);
    const createdMs = Date.now();
    const id = newId('eval_', createdMs);
    const created = Math.floor(createdMs / 1000);
    const record: EvalRecord = {
      id,
      project,
      // OpenAI does not say what an unnamed eval is called; evald names it after its id.
      name: params.name ?? id,
      data_source_config: deriveDataSourceConfig(params.data_source_config),
      testing_criteria: params.testing_criteria.map((c) => ({ ...c, id: `${c.name}-${randomUUID()}` })),
      metadata: params.metadata === undefined ? {} : params.metadata,
      created_at: created,
      updated_at: created,
    };
    await this.store.evals.insert(record);
    return evalToWire(record);
  }

  /** The stored eval, or a 404 naming it. */
  async record(project: string, id: string): Promise<EvalRecord> {
    const found = await this.store.evals.get(project, id);
    if (!found) throw ApiError.notFound('eval', id, 'eval_id');
    return found;
  }

  async retrieve(project: string, id: string) {
    return evalToWire(await this.record(project, id));
  }

  async list(project: string, query: EvalListQuery) {
    const page = await this.store.evals.list(project, { ...query, orderBy: query.order_by });
    return listOf(page, page.rows.map(evalToWire));
  }

  async update(project: string, id: string, params: EvalUpdateParams) {
    const updated = await this.store.evals.update(project, id, params, nowS());
    if (!updated) throw ApiError.notFound('eval', id, 'eval_id');
    return evalToWire(updated);
  }

  async delete(project: string, id: string) {
    if (!(await this.store.evals.delete(project, id))) throw ApiError.notFound('eval', id, 'eval_id');
    this.deleted();
    await this.store.files.purgeDeleted().catch(() => {}); // files its runs kept (see RunsService's releaseFiles)
    return { object: 'eval.deleted' as const, deleted: true, eval_id: id };
  }
}
