import { type Kysely, type Migration } from 'kysely';

/**
 * `runs.source_file_id`: the file a run reads rows from (null for inline rows). A deleted file's bytes are
 * kept while a queued or running run names it here (FilesRepo.delete, purgeDeleted), so deleting a file
 * never shortens a run. Runs already queued or running when this migration applies are filled in from
 * their data source; finished runs no longer hold a file and stay null.
 */
export const runSourceFile: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('runs').addColumn('source_file_id', 'text').execute();
    await db.schema.createIndex('runs_source_file').on('runs').columns(['source_file_id', 'status']).execute();
    // Deleted files waiting for their last run are found by status.
    await db.schema.createIndex('files_status').on('files').columns(['status']).execute();
    const active = await db.selectFrom('runs').select(['id', 'data_source'])
      .where('status', 'in', ['queued', 'in_progress']).execute() as Array<{ id: string; data_source: string }>;
    for (const run of active) {
      const fileId = sourceFileId(JSON.parse(run.data_source));
      if (fileId) await db.updateTable('runs').set({ source_file_id: fileId }).where('id', '=', run.id).execute();
    }
  },
};

// A copy of what RunsRepo.insert stores, kept here so this migration stays as it shipped.
function sourceFileId(dataSource: unknown): string | null {
  const source = (dataSource as { source?: { type?: unknown; id?: unknown } } | null)?.source;
  return source?.type === 'file_id' && typeof source.id === 'string' ? source.id : null;
}
