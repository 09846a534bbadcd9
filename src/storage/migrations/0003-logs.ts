import { type Kysely, type Migration } from 'kysely';

/**
 * Gateway logs (stored chat completions and responses), their filter tags, the fixed log selection of runs
 * over logs, and the gateway's per-project, per-model usage.
 */
export const logs: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('logs')
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('request_model', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('instructions', 'text')
      .addColumn('temperature', 'double precision')
      .addColumn('top_p', 'double precision')
      .addColumn('reasoning_effort', 'text')
      .addColumn('tool_names', 'text')
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('logs_pk', ['project', 'id'])
      .execute();
    // Lists and run selections without a tag filter: a keyset range over (created_at, id) in one project.
    await db.schema.createIndex('logs_project_kind_created').on('logs').columns(['project', 'kind', 'created_at', 'id']).execute();
    await db.schema.createIndex('logs_expires').on('logs').columns(['expires_at']).execute();

    // One row per metadata pair and model name of a log (`meta:<key>` / `model`), carrying the log's sort
    // key: a filtered page is then a range scan of this index in (created_at, id) order, O(limit) however
    // many logs there are. A jsonb GIN index on PostgreSQL finds the matching logs too, but as a bitmap that
    // must be sorted before the first row is returned, so a page would cost O(matches); this works the same
    // on SQLite and PostgreSQL.
    await db.schema.createTable('log_tags')
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('log_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('log_tags_pk', ['project', 'log_id', 'tag', 'value'])
      .execute();
    await db.schema.createIndex('log_tags_filter').on('log_tags').columns(['project', 'kind', 'tag', 'value', 'created_at', 'log_id']).execute();

    // The logs a run over logs grades, fixed when it first starts (seq -1 marks a finished selection).
    await db.schema.createTable('run_logs')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('log_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_logs_pk', ['run_id', 'seq'])
      .execute();

    await db.schema.createTable('gateway_usage')
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('errors', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('prompt_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('completion_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('total_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cached_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('gateway_usage_pk', ['project', 'day', 'model'])
      .execute();
  },
};
