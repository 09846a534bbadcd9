/**
 * Store failures that are the data's or the machine's doing rather than a bug, recognised across backends
 * (better-sqlite3 and pg both put the database's own code on `code`).
 */
const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * The disk or database file is full: SQLITE_FULL, PostgreSQL's disk_full (53100), or ENOSPC from the file
 * system. Waiting and retrying can succeed once space is freed; nothing about the request is wrong.
 */
export function isStorageFull(e: unknown): boolean {
  const code = codeOf(e);
  return code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC';
}

/**
 * PostgreSQL refused a text value it cannot hold: a NUL character (22021 character_not_in_repertoire,
 * 22P05 untranslatable_character). The API refuses NULs where it knows the field; this catches the rest.
 */
export function isUnstorableText(e: unknown): boolean {
  const code = codeOf(e);
  return code === '22021' || code === '22P05';
}

/** What an operator reads in the log for a full store. */
export const STORAGE_FULL_MESSAGE = 'the database or its disk is full (SQLITE_FULL / disk_full / ENOSPC): free space, or raise the database size limit';
