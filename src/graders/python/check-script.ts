/**
 * The python side of the store-time source check, run as `python3 -I -B -c CHECK_SCRIPT <memory>` in the
 * same sandbox as graders. It compiles the source (which runs none of it) and looks in the syntax tree for
 * a module-level `grade`; it answers one JSON line: `{}` when fine, else `{"message"}`.
 */
export const CHECK_SCRIPT = String.raw`
import ast, json, resource, sys, traceback

memory = int(sys.argv[1])
if memory > 0:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
source = sys.stdin.buffer.read().decode('utf-8', 'replace')
out = sys.stdout

# Names whose use may bind grade at run time in ways the tree does not show: then the check says nothing.
DYNAMIC = {'exec', 'eval', 'globals', 'vars', 'setattr', '__import__', 'locals'}


def binds_grade(node):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if child.name == 'grade':
                return True
            continue  # their bodies are other scopes
        if isinstance(child, ast.Lambda):
            continue
        if isinstance(child, ast.Name):
            if child.id == 'grade' and isinstance(child.ctx, ast.Store):
                return True
            if child.id in DYNAMIC:
                return True
        if isinstance(child, ast.alias) and (child.name == '*' or (child.asname or child.name.split('.')[0]) == 'grade'):
            return True
        if binds_grade(child):
            return True
    return False


def answer(message=None):
    out.write(json.dumps({} if message is None else {'message': message[:4000]}) + '\n')
    out.flush()


try:
    compile(source, 'grader.py', 'exec', dont_inherit=True)
    tree = ast.parse(source, 'grader.py')
except SyntaxError as exc:
    where = 'line %s' % exc.lineno if exc.lineno else 'the source'
    lines = source.splitlines()
    text = exc.text or (lines[exc.lineno - 1] if exc.lineno and 0 < exc.lineno <= len(lines) else '')
    detail = '\n    ' + text.strip() if text.strip() else ''
    answer('%s: %s: %s%s' % (where, type(exc).__name__, exc.msg, detail))
except (ValueError, MemoryError, RecursionError) as exc:
    answer('%s: %s' % (type(exc).__name__, exc))
else:
    try:
        found = binds_grade(tree)
    except RecursionError:
        found = True
    answer(None if found else 'the source defines no grade function: it must define grade(sample, item), returning a number')
`;
