// Every metric but fuzzy_match compares word tokens. For ASCII text this equals rouge-score's default tokenizer
// (lowercase, split on anything but [a-z0-9]); beyond ASCII it keeps letters and digits of every script, where
// rouge-score would drop them.
const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased maximal runs of Unicode letters and digits; no stemming. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
