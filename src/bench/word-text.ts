const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'run', 'runs', 'house', 'quick', 'fox', 'dog', 'lazy', 'jumps'];

/** Word-like text of exactly `n` characters, different for each seed (long grader inputs for benches and tests). */
export function wordText(n: number, seed: number): string {
  let s = '';
  let x = seed;
  while (s.length < n) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += `${WORDS[x % WORDS.length]} `;
  }
  return s.slice(0, n);
}
