// A port of nltk's PorterStemmer in its default NLTK_EXTENSIONS mode (nltk 3.10), which differs from Porter's
// 1980 paper in a few documented places (marked "nltk:" below). METEOR's stem stage must agree with it token
// for token, so this follows nltk's code, not the paper.

const IRREGULAR: ReadonlyMap<string, string> = new Map([
  ['sky', 'sky'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'], ['news', 'news'],
  ['innings', 'inning'], ['inning', 'inning'], ['outings', 'outing'], ['outing', 'outing'],
  ['cannings', 'canning'], ['canning', 'canning'], ['howe', 'howe'], ['proceed', 'proceed'],
  ['exceed', 'exceed'], ['succeed', 'succeed'],
]);

type Rule = readonly [suffix: string, replacement: string, condition: ((stem: string) => boolean) | null];

function isVowel(ch: string): boolean {
  return ch === 'a' || ch === 'e' || ch === 'i' || ch === 'o' || ch === 'u';
}

/** Porter's consonant test: 'y' is a consonant at the start or after a vowel. */
function isConsonant(word: string, i: number): boolean {
  const ch = word[i]!;
  if (isVowel(ch)) return false;
  if (ch !== 'y') return true;
  return i === 0 ? true : !isConsonant(word, i - 1);
}

/** m in [C](VC)^m[V]: the number of vowel→consonant transitions. */
function measure(stem: string): number {
  let m = 0;
  let prevVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const consonant = isConsonant(stem, i);
    if (consonant && prevVowel) m++;
    prevVowel = !consonant;
  }
  return m;
}

const positiveMeasure = (stem: string): boolean => measure(stem) > 0;
const measureAbove1 = (stem: string): boolean => measure(stem) > 1;

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

function endsDoubleConsonant(word: string): boolean {
  const n = word.length;
  return n >= 2 && word[n - 1] === word[n - 2] && isConsonant(word, n - 1);
}

function endsCvc(word: string): boolean {
  const n = word.length;
  if (n >= 3 && isConsonant(word, n - 3) && !isConsonant(word, n - 2) && isConsonant(word, n - 1)) {
    const last = word[n - 1];
    return last !== 'w' && last !== 'x' && last !== 'y';
  }
  // nltk: a two-letter vowel-consonant word also counts as cvc.
  return n === 2 && !isConsonant(word, 0) && isConsonant(word, 1);
}

/** The first rule whose suffix matches decides: its replacement if the condition holds, else the word as is. */
function applyRules(word: string, rules: readonly Rule[]): string {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === '*d') {
      if (!endsDoubleConsonant(word)) continue;
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
    if (word.endsWith(suffix)) {
      const stem = word.slice(0, word.length - suffix.length);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

const STEP1A: readonly Rule[] = [['sses', 'ss', null], ['ies', 'i', null], ['ss', 'ss', null], ['s', '', null]];

function step1a(word: string): string {
  // nltk: "ties" → "tie", not "ti".
  if (word.length === 4 && word.endsWith('ies')) return word.slice(0, -3) + 'ie';
  return applyRules(word, STEP1A);
}

function step1b(word: string): string {
  // nltk: "died" → "die", "spied" → "spi".
  if (word.endsWith('ied')) return word.slice(0, -3) + (word.length === 4 ? 'ie' : 'i');
  if (word.endsWith('eed')) {
    const stem = word.slice(0, -3);
    return measure(stem) > 0 ? stem + 'ee' : word;
  }
  let stem: string | null = null;
  for (const suffix of ['ed', 'ing']) {
    if (word.endsWith(suffix)) {
      const candidate = word.slice(0, word.length - suffix.length);
      if (containsVowel(candidate)) {
        stem = candidate;
        break;
      }
    }
  }
  if (stem === null) return word;
  const last = stem[stem.length - 1] ?? '';
  return applyRules(stem, [
    ['at', 'ate', null],
    ['bl', 'ble', null],
    ['iz', 'ize', null],
    ['*d', last, () => last !== 'l' && last !== 's' && last !== 'z'],
    ['', 'e', (s) => measure(s) === 1 && endsCvc(s)],
  ]);
}

function step1c(word: string): string {
  // nltk: y → i only after a consonant that is not the first letter ("cry" → "cri", "say" stays).
  return applyRules(word, [['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]]);
}

const STEP2: readonly Rule[] = [
  ['ational', 'ate', positiveMeasure], ['tional', 'tion', positiveMeasure], ['enci', 'ence', positiveMeasure],
  ['anci', 'ance', positiveMeasure], ['izer', 'ize', positiveMeasure], ['bli', 'ble', positiveMeasure],
  ['alli', 'al', positiveMeasure], ['entli', 'ent', positiveMeasure], ['eli', 'e', positiveMeasure],
  ['ousli', 'ous', positiveMeasure], ['ization', 'ize', positiveMeasure], ['ation', 'ate', positiveMeasure],
  ['ator', 'ate', positiveMeasure], ['alism', 'al', positiveMeasure], ['iveness', 'ive', positiveMeasure],
  ['fulness', 'ful', positiveMeasure], ['ousness', 'ous', positiveMeasure], ['aliti', 'al', positiveMeasure],
  ['iviti', 'ive', positiveMeasure], ['biliti', 'ble', positiveMeasure], ['fulli', 'ful', positiveMeasure],
];

function step2(word: string): string {
  // nltk: "alli" → "al" and step 2 again.
  if (word.endsWith('alli') && positiveMeasure(word.slice(0, -4))) return step2(word.slice(0, -4) + 'al');
  // nltk: "logi" → "log", last in the list but no other suffix matches such a word; nltk tests the measure of
  // the word less its last three letters, not of the stem.
  if (word.endsWith('logi')) return positiveMeasure(word.slice(0, -3)) ? word.slice(0, -1) : word;
  return applyRules(word, STEP2);
}

const STEP3: readonly Rule[] = [
  ['icate', 'ic', positiveMeasure], ['ative', '', positiveMeasure], ['alize', 'al', positiveMeasure],
  ['iciti', 'ic', positiveMeasure], ['ical', 'ic', positiveMeasure], ['ful', '', positiveMeasure],
  ['ness', '', positiveMeasure],
];

const STEP4: readonly Rule[] = [
  ['al', '', measureAbove1], ['ance', '', measureAbove1], ['ence', '', measureAbove1], ['er', '', measureAbove1],
  ['ic', '', measureAbove1], ['able', '', measureAbove1], ['ible', '', measureAbove1], ['ant', '', measureAbove1],
  ['ement', '', measureAbove1], ['ment', '', measureAbove1], ['ent', '', measureAbove1],
  ['ion', '', (stem) => measure(stem) > 1 && (stem.endsWith('s') || stem.endsWith('t'))],
  ['ou', '', measureAbove1], ['ism', '', measureAbove1], ['ate', '', measureAbove1], ['iti', '', measureAbove1],
  ['ous', '', measureAbove1], ['ive', '', measureAbove1], ['ize', '', measureAbove1],
];

function step5a(word: string): string {
  if (!word.endsWith('e')) return word;
  const stem = word.slice(0, -1);
  const m = measure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : word;
}

function step5b(word: string): string {
  return applyRules(word, [['ll', 'l', () => measure(word.slice(0, -1)) > 1]]);
}

function stemBmp(word: string): string {
  const irregular = IRREGULAR.get(word);
  if (irregular !== undefined) return irregular;
  if (word.length <= 2) return word;
  return step5b(step5a(applyRules(applyRules(step2(step1c(step1b(step1a(word)))), STEP3), STEP4)));
}

const ASTRAL = /[\uD800-\uDFFF]/;

/** nltk `PorterStemmer().stem(word)` for an already lower-cased word. */
export function porterStem(word: string): string {
  if (!ASTRAL.test(word)) return stemBmp(word);
  // nltk indexes code points, JS strings UTF-16 units: stand each astral character in for one private-use
  // character (none is a vowel or 'y', like the original), stem, and put them back.
  const originals: string[] = [];
  const bmp = Array.from(word, (ch) => {
    if (ch.length === 1) return ch;
    let k = originals.indexOf(ch);
    if (k < 0) k = originals.push(ch) - 1;
    return String.fromCharCode(0xe000 + k);
  }).join('');
  return Array.from(stemBmp(bmp), (ch) => {
    const k = ch.charCodeAt(0) - 0xe000;
    return k >= 0 && k < originals.length ? originals[k]! : ch;
  }).join('');
}
