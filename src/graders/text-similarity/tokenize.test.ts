import { describe, expect, it } from 'vitest';
import { wordTokens } from './tokenize.js';

describe('wordTokens', () => {
  it.each([
    ['The cat sat on the mat.', ['the', 'cat', 'sat', 'on', 'the', 'mat']],
    // rouge-score splits on anything but [a-z0-9]: apostrophes, hyphens, underscores and dots too.
    ["It's a well-known fact_2.1", ['it', 's', 'a', 'well', 'known', 'fact', '2', '1']],
    ['Café naïve ÜBER Straße', ['café', 'naïve', 'über', 'straße']],
    ['東京 ΟΔΟΣ ١٢٣', ['東京', 'οδος', '١٢٣']],
    // Every numeric category counts as a digit: superscripts, fractions, Roman numerals.
    ['x² ½ Ⅻ', ['x²', '½', 'ⅻ']],
    ['', []],
    ['!!! ... ---', []],
  ])('%j → %j', (text, tokens) => {
    expect(wordTokens(text)).toEqual(tokens);
  });
});
