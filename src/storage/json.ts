/** Parses a JSON column; null stays null. */
export const fromJson = <T>(text: string | null): T => (text === null ? null : JSON.parse(text)) as T;

/** Serialises a value for a JSON column; null and undefined become SQL NULL. */
export const toJson = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** Counts come back as bigint-ish strings from some drivers; the store always hands out numbers. */
export const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
