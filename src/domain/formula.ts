/**
 * The `multi` grader's `calculate_output` language: numbers, variables, + - * / ^ (right-associative),
 * unary minus, parentheses, and min, max, abs, floor, ceil, exp, sqrt, log. Parsed once into a closure;
 * no eval, so a formula can compute and nothing else.
 */
export class FormulaError extends Error {}

type Node = (vars: Record<string, number>) => number;

const FUNCTIONS: Record<string, (...xs: number[]) => number> = {
  min: Math.min, max: Math.max, abs: Math.abs, floor: Math.floor, ceil: Math.ceil,
  exp: Math.exp, sqrt: Math.sqrt, log: Math.log,
};

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_.]*)|(\S))/y;

/** Parses `formula`; the result evaluates it for given variable values (unknown variables throw). */
export function parseFormula(formula: string): { evaluate: Node; variables: Set<string> } {
  const tokens: Array<{ kind: 'num' | 'id' | 'op'; text: string }> = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(formula); m && m[0].trim() !== ''; m = TOKEN.exec(formula)) {
    tokens.push(m[1] !== undefined ? { kind: 'num', text: m[1] } : m[2] !== undefined ? { kind: 'id', text: m[2] } : { kind: 'op', text: m[3]! });
  }
  if (formula.slice(TOKEN.lastIndex).trim() !== '' && TOKEN.lastIndex !== 0) throw new FormulaError(`cannot read the formula at '${formula.slice(TOKEN.lastIndex)}'`);
  let pos = 0;
  const variables = new Set<string>();
  const peek = () => tokens[pos];
  const expect = (text: string) => {
    if (peek()?.text !== text) throw new FormulaError(`expected '${text}' ${peek() ? `but found '${peek()!.text}'` : 'at the end'}`);
    pos++;
  };

  const sum = (): Node => {
    let left = product();
    while (peek()?.text === '+' || peek()?.text === '-') {
      const op = tokens[pos++]!.text;
      const l = left, r = product();
      left = op === '+' ? (v) => l(v) + r(v) : (v) => l(v) - r(v);
    }
    return left;
  };
  const product = (): Node => {
    let left = unary();
    while (peek()?.text === '*' || peek()?.text === '/') {
      const op = tokens[pos++]!.text;
      const l = left, r = unary();
      left = op === '*' ? (v) => l(v) * r(v) : (v) => l(v) / r(v);
    }
    return left;
  };
  // Unary minus binds looser than ^, as in mathematics: -2 ^ 2 is -4.
  const unary = (): Node => {
    if (peek()?.text === '-') { pos++; const x = unary(); return (v) => -x(v); }
    if (peek()?.text === '+') { pos++; return unary(); }
    return power();
  };
  const power = (): Node => {
    const base = atom();
    if (peek()?.text !== '^') return base;
    pos++;
    const exponent = unary();
    return (v) => base(v) ** exponent(v);
  };
  const atom = (): Node => {
    const t = tokens[pos++];
    if (!t) throw new FormulaError('the formula ends too soon');
    if (t.kind === 'num') { const n = Number(t.text); return () => n; }
    if (t.text === '(') { const inner = sum(); expect(')'); return inner; }
    if (t.kind === 'id') {
      if (peek()?.text === '(') {
        const fn = FUNCTIONS[t.text];
        if (!fn) throw new FormulaError(`unknown function '${t.text}'`);
        pos++;
        const args: Node[] = [];
        if (peek()?.text !== ')') { args.push(sum()); while (peek()?.text === ',') { pos++; args.push(sum()); } }
        expect(')');
        return (v) => fn(...args.map((a) => a(v)));
      }
      variables.add(t.text);
      return (v) => {
        const value = v[t.text];
        if (value === undefined) throw new FormulaError(`unknown variable '${t.text}'`);
        return value;
      };
    }
    throw new FormulaError(`unexpected '${t.text}'`);
  };

  if (tokens.length === 0) throw new FormulaError('the formula is empty');
  const evaluate = sum();
  if (pos < tokens.length) throw new FormulaError(`unexpected '${tokens[pos]!.text}'`);
  return { evaluate, variables };
}
