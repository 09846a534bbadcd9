import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../types.js';

/** Tables for keys, evals, runs, output items and files (whose bytes live in the store, in chunks). */
export const initial = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
    await db.schema.createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();

    await db.schema.createTable('evals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('data_source_config', 'text', (c) => c.notNull())
      .addColumn('testing_criteria', 'text', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // Keyset pagination: a page costs one index range scan whatever the table's size.
    await db.schema.createIndex('evals_project_id').on('evals').columns(['project', 'id']).execute();
    await db.schema.createIndex('evals_project_updated').on('evals').columns(['project', 'updated_at', 'id']).execute();

    await db.schema.createTable('runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('eval_id', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('model', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('data_source', 'text', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('count_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('count_passed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('count_failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('count_errored', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('per_criteria', 'text')
      .addColumn('per_model_usage', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('runs_eval_id').on('runs').columns(['eval_id', 'id']).execute();
    await db.schema.createIndex('runs_eval_status_id').on('runs').columns(['eval_id', 'status', 'id']).execute();
    await db.schema.createIndex('runs_claim').on('runs').columns(['status', 'lease_expires_at']).execute();

    await db.schema.createTable('output_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('eval_id', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('datasource_item_id', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('datasource_item', 'text', (c) => c.notNull())
      .addColumn('results', 'text', (c) => c.notNull())
      .addColumn('sample', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // One output item per source row and run: a resumed run can never write a row twice.
    await db.schema.createIndex('output_items_run_row').on('output_items').columns(['run_id', 'datasource_item_id']).unique().execute();
    await db.schema.createIndex('output_items_run_id').on('output_items').columns(['run_id', 'id']).execute();
    await db.schema.createIndex('output_items_run_status_id').on('output_items').columns(['run_id', 'status', 'id']).execute();
    await db.schema.createIndex('output_items_eval').on('output_items').columns(['eval_id']).execute();

    await db.schema.createTable('files')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('files_project_created').on('files').columns(['project', 'created_at', 'id']).execute();

    await db.schema.createTable('file_chunks')
      .addColumn('file_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('data', blob, (c) => c.notNull())
      .addPrimaryKeyConstraint('file_chunks_pk', ['file_id', 'seq'])
      .execute();
  },
});
