/**
 * The python side of a grader worker, run as `python3 -I -B -c WORKER_SCRIPT <memory> <nproc> <fsize>
 * <max_print>`. It is a TS string because tsc does not copy .py files into dist/, and `-c` needs no file
 * inside the sandbox.
 *
 * Protocol (JSON lines): the first stdin line is `{"source"}`; then each `{"id","sample","item"}` gets
 * `{"id","score"}` or `{"id","error":{"code","message"}}` on the *original* stdout. That fd is dup'ed away
 * before user code runs, and fds 0/1 are pointed at /dev/null/stderr, so `print()` (or a C extension writing
 * to fd 1) cannot corrupt the channel. Code that hunts for the private fds can only forge answers about its
 * own items, which it scores anyway; the TS side validates every line.
 */
export const WORKER_SCRIPT = String.raw`
import json, linecache, math, numbers, os, resource, signal, sys, traceback, types

MAX_MESSAGE = 4000
MAX_TRACEBACK_LINES = 12


def limit(kind, value):
    # soft = hard: an unprivileged process can lower a hard limit but never raise it again.
    if value > 0:
        resource.setrlimit(kind, (value, value))


class BoundedText:
    """sys.stdout/sys.stderr for user code: forwards the first max_print bytes per item to fd 2, drops the rest."""

    def __init__(self, fd, budget):
        self.fd, self.budget, self.left = fd, budget, budget
        self.encoding, self.errors = 'utf-8', 'replace'

    def reset(self):
        self.left = self.budget

    def write(self, text):
        data = str(text).encode('utf-8', 'replace')
        if self.left > 0:
            chunk = data[: self.left]
            self.left -= len(chunk)
            try:
                os.write(self.fd, chunk)
            except OSError:
                pass
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return self.fd


def describe(exc, skip_worker_frames=True):
    head = type(exc).__name__ + (': ' + str(exc) if str(exc) else '')
    lines = []
    if isinstance(exc, SyntaxError):
        lines = traceback.format_exception_only(type(exc), exc)[:-1]
    else:
        tb = exc.__traceback__
        # The first frames are this worker's own; the user's frames start at "grader.py".
        while skip_worker_frames and tb is not None and tb.tb_frame.f_code.co_filename == '<string>':
            tb = tb.tb_next
        if tb is not None:
            lines = ['Traceback (most recent call last):\n'] + traceback.format_tb(tb)
    text = ''.join(lines).splitlines()
    if len(text) > MAX_TRACEBACK_LINES:
        text = text[:MAX_TRACEBACK_LINES] + ['  ...']
    message = head + ('\n' + '\n'.join(text) if text else '')
    return message[:MAX_MESSAGE]


def error(code, message):
    return {'code': code, 'message': message[:MAX_MESSAGE]}


def failure(exc):
    if isinstance(exc, MemoryError):
        return error('python_memory_exceeded', describe(exc) + '\n(the grader hit its memory limit)')
    return error('python_exception', describe(exc))


def to_score(value):
    # bool is accepted (an int subclass: 'return answer == expected' is a natural grader); str is not.
    try:
        if isinstance(value, numbers.Number):
            score = float(value)  # int, bool, float, Fraction, Decimal, numpy scalars; complex fails here
        elif getattr(value, 'shape', None) == () and getattr(getattr(value, 'dtype', None), 'kind', None) in ('b', 'i', 'u', 'f'):
            score = float(value)  # a 0-d numpy array
        else:
            got = '%s: %s' % (type(value).__name__, repr(value)[:200])
            return None, error('python_invalid_score', 'grade() must return a number, got ' + got)
    except Exception as exc:
        return None, error('python_invalid_score', 'grade() returned a value that is not a usable number: ' + describe(exc))
    if not math.isfinite(score):
        return None, error('python_invalid_score', 'grade() returned %r; the score must be a finite number' % score)
    return score, None


def reap_children():
    # As the sandbox's pid 1 the worker inherits every orphan; zombies would count against RLIMIT_NPROC.
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def main():
    # Fds the server inherited without CLOEXEC (a log file, a socket) pass through node and bwrap: drop them.
    os.closerange(3, 1 << 20)
    memory, nproc, fsize, max_print = (int(a) for a in sys.argv[1:5])
    limit(resource.RLIMIT_AS, memory)
    limit(resource.RLIMIT_NPROC, nproc)
    limit(resource.RLIMIT_FSIZE, fsize)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big file is then an OSError, not a dead worker

    requests = os.fdopen(os.dup(0), 'rb')
    answers = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    out = BoundedText(2, max_print)
    sys.stdin, sys.stdout, sys.stderr = open(os.devnull), out, out
    me = os.getpid()

    def reply(message):
        data = (json.dumps(message, allow_nan=False) + '\n').encode()
        while data:
            data = data[os.write(answers, data):]

    setup_error, grade = None, None
    source = json.loads(requests.readline() or '{}').get('source', '')
    linecache.cache['grader.py'] = (len(source), None, source.splitlines(True), 'grader.py')  # source lines in tracebacks
    try:
        code = compile(source, 'grader.py', 'exec')
    except (SyntaxError, ValueError) as exc:
        setup_error = error('python_syntax_error', describe(exc))
    except BaseException as exc:
        setup_error = failure(exc)  # e.g. MemoryError or RecursionError on absurdly nested source
    else:
        # A real module in sys.modules, so dataclasses, typing and pickle can look the grader's classes up.
        module = types.ModuleType('grader')
        module.__file__ = 'grader.py'
        sys.modules['grader'] = module
        scope = module.__dict__
        try:
            exec(code, scope)
        except BaseException as exc:
            setup_error = failure(exc)
        else:
            grade = scope.get('grade')
            if not callable(grade):
                setup_error = error('python_no_grade_function',
                                    'the source must define a function grade(sample, item) that returns a number')
    if os.getpid() != me:
        os._exit(0)  # a child forked at import time never answers

    for line in requests:
        request = json.loads(line)
        answer = {'id': request['id']}
        out.reset()
        if setup_error is not None:
            answer['error'] = setup_error
        else:
            try:
                score, problem = to_score(grade(request['sample'], request['item']))
            except BaseException as exc:
                score, problem = None, failure(exc)
            if os.getpid() != me:
                os._exit(0)  # a child forked by grade() must not answer in the worker's name
            reap_children()
            if problem is None:
                answer['score'] = score
            else:
                answer['error'] = problem
        reply(answer)


main()
`;
