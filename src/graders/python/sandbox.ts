import { execFile, spawn, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { bwrapArgs, bwrapFeatures, hostLayout, pythonArgs, SANDBOX_ENV, type Interpreter, type Layout } from './bwrap-args.js';
import type { PythonOptions } from './options.js';
import { compileSeccompFilter } from './seccomp.js';

/** What /health and the logs say about python graders. */
export interface SandboxStatus {
  ready: boolean;
  mode: 'bwrap' | 'none';
  python: string | null;
  pythonVersion: string | null;
  bwrap: string | null;
  bwrapVersion: string | null;
  /** The host uid the sandbox runs as (nobody when the server is root, so RLIMIT_NPROC applies). */
  uid: number | null;
  /** Whether a seccomp filter refuses fork (a worker is then one process, bounded by its memory limit). */
  seccomp: boolean;
  /** Why it is not ready, or how it is isolated, or the warning that it is not. */
  detail: string;
}

/** A started worker process. */
export interface Spawned {
  child: ChildProcessWithoutNullStreams;
  /** SIGKILLs the worker and everything it started. */
  kill(): void;
  /** Removes what it left on the host; called once it has exited. */
  cleanup(): void;
}

/** Starts worker processes the way the status says. */
export interface Launcher {
  status: SandboxStatus;
  /** Starts python with `args` (by default the grader worker's: see pythonArgs). */
  spawn(options: PythonOptions, args?: string[]): Spawned;
}

const NOBODY = 65534;
const RETRY_FAILED_PROBE_MS = 60_000;
const UNSAFE_HINT = 'or set EVALD_PYTHON_SANDBOX=none to run python graders without a sandbox (unsafe: grader code can '
  + 'then read the server\'s files, environment and network)';
const INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, Fedora: `dnf install bubblewrap`), '
  + UNSAFE_HINT;

const launchers = new Map<string, Promise<Launcher>>();

/** The launcher for these options, probed once per process (bwrap present, namespaces allowed, python runs). */
export function getLauncher(options: PythonOptions): Promise<Launcher> {
  const key = `${options.sandbox}\0${options.bwrap ?? ''}\0${options.python ?? ''}`;
  let launcher = launchers.get(key);
  if (!launcher) {
    launcher = options.sandbox === 'none' ? unsandboxed(options) : sandboxed(options);
    launchers.set(key, launcher);
    // A failed probe is remembered for a while (not per item), then retried: the operator may have fixed it.
    void launcher.then(({ status }) => {
      if (!status.ready) setTimeout(() => launchers.delete(key), RETRY_FAILED_PROBE_MS).unref();
    });
  }
  return launcher;
}

/** Whether python graders can run, and how; for /health and the startup log. */
export async function pythonSandboxStatus(options: PythonOptions): Promise<SandboxStatus> {
  return (await getLauncher(options)).status;
}

async function sandboxed(options: PythonOptions): Promise<Launcher> {
  const status: SandboxStatus = {
    ready: false, mode: 'bwrap', python: null, pythonVersion: null, bwrap: null, bwrapVersion: null, uid: null, seccomp: false, detail: '',
  };
  const refuse = (detail: string): Launcher => ({ status: { ...status, detail }, spawn: () => { throw new Error(detail); } });
  if (process.platform !== 'linux') return refuse(`python graders need a Linux host for the bubblewrap sandbox; ${UNSAFE_HINT}`);
  const bwrap = options.bwrap ? (isExecutable(options.bwrap) ? options.bwrap : null) : findOnPath('bwrap');
  if (!bwrap) {
    const where = options.bwrap ? `${options.bwrap} (EVALD_BWRAP) is not an executable` : '`bwrap` is not on PATH';
    return refuse(`python graders run in a bubblewrap sandbox, but ${where}: ${INSTALL_HINT}`);
  }
  const help = await run(bwrap, ['--help'], {});
  const features = bwrapFeatures(help.stdout + help.stderr);
  status.bwrap = bwrap;
  status.bwrapVersion = (await run(bwrap, ['--version'], {})).stdout.trim().replace(/^bubblewrap\s*/, '') || null;
  const python = await findInterpreter(options.python);
  if (typeof python === 'string') return refuse(python);
  Object.assign(status, { python: python.executable, pythonVersion: python.version });
  let layout: Layout;
  try {
    layout = hostLayout(python);
  } catch (error) {
    return refuse(`cannot sandbox ${python.executable}: ${(error as Error).message}`);
  }
  // Root's processes are exempt from RLIMIT_NPROC, so a root server starts the sandbox as nobody.
  const ids: { uid?: number; gid?: number } = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  status.uid = ids.uid ?? process.getuid?.() ?? null;
  // The host env never reaches bwrap, whatever its version does with --clearenv.
  const host = { ...ids, cwd: '/', env: { PATH: SANDBOX_ENV.PATH } };
  // Without the filter a worker could fork, so it gets no second process or thread at all (RLIMIT_NPROC 1):
  // either way its memory limit bounds the whole worker.
  const compiled = await compileSeccompFilter([python.executable, '/usr/bin/python3']);
  let filter = 'bpf' in compiled ? compiled.bpf : null;
  const argv = (opts: PythonOptions, tail: string[]) =>
    [...bwrapArgs(layout, opts, features), ...(filter ? ['--seccomp', String(SECCOMP_FD)] : []), '--', layout.python, ...tail];
  const probeArgs = ['-I', '-c', 'print("ok")'];
  let probe = await run(bwrap, argv(options, probeArgs), host, filter);
  let noFilter = 'bpf' in compiled ? null : compiled.missing;
  if (filter && probe.stdout.trim() !== 'ok') {
    // A kernel without seccomp filters, or a bwrap that cannot load one: the process-count fallback.
    noFilter = `no seccomp filter: bubblewrap could not load it (${probe.stderr.trim().split('\n')[0] || probe.error || `exit ${probe.code}`})`;
    filter = null;
    probe = await run(bwrap, argv(options, probeArgs), host);
  }
  if (probe.stdout.trim() !== 'ok') {
    const why = (probe.stderr.trim() || probe.error || `exit ${probe.code}`).split('\n').slice(0, 3).join(' ');
    return refuse(`bubblewrap is installed but could not start a sandbox (${why}). It needs unprivileged user namespaces `
      + '(sysctl user.max_user_namespaces > 0; on Ubuntu 23.10+ an AppArmor profile for bwrap or '
      + 'kernel.apparmor_restrict_unprivileged_userns=0; in a container, a seccomp profile that allows unshare/clone) '
      + `and the interpreter's directories readable by uid ${status.uid}; ${UNSAFE_HINT}`);
  }
  const missing = Object.entries(features).filter(([, has]) => !has).map(([flag]) => flag);
  status.ready = true;
  status.seccomp = filter !== null;
  status.detail = `sandboxed with bubblewrap: no network, own pid/ipc/user namespaces, read-only ${layout.roBinds.join(', ')}`
    + (filter ? '; seccomp: no fork, memfd or SysV shared memory' : `; ${noFilter}, so a worker may start no other process or thread (RLIMIT_NPROC 1)`)
    + (missing.length ? `; this bwrap lacks ${missing.join(', ')} (upgrade to 0.8+ for full hardening)` : '');
  const bpf = filter;
  return {
    status,
    spawn: (opts, args = pythonArgs(bpf ? opts : { ...opts, maxProcesses: 1 })) => spawnSandbox(bwrap, ['--info-fd', '3', ...argv(opts, args)], host, bpf),
  };
}

/**
 * Kills through the sandbox's pid 1 (python), which bwrap reports on --info-fd: the kernel then kills
 * everything in the pid namespace and bwrap, its parent, reaps it and exits. Killing bwrap first would
 * also work (--die-with-parent), but would orphan pid 1 to the host's init, which in a container may be
 * node, which never reaps it.
 */
function spawnSandbox(bwrap: string, args: string[], host: SpawnOptions, bpf: Buffer | null): Spawned {
  const child = spawn(bwrap, args, { ...host, stdio: ['pipe', 'pipe', 'pipe', 'pipe', bpf ? 'pipe' : 'ignore'] }) as ChildProcessWithoutNullStreams;
  if (bpf) feedFilter(child.stdio[SECCOMP_FD] as Writable, bpf);
  let sandboxPid: number | null = null;
  let info = '';
  const infoFd = child.stdio[3] as Readable;
  infoFd.on('data', (chunk: Buffer) => { info += chunk.toString('utf8'); });
  infoFd.on('end', () => {
    try {
      const pid = (JSON.parse(info) as { 'child-pid'?: unknown })['child-pid'];
      sandboxPid = typeof pid === 'number' && Number.isInteger(pid) && pid > 1 ? pid : null;
    } catch { /* no pid: kill() falls back to bwrap */ }
  });
  infoFd.on('error', () => {});
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    kill: () => {
      // While bwrap runs it has not reaped its pid 1, so that pid cannot have been reused.
      if (sandboxPid !== null && running()) {
        try {
          process.kill(sandboxPid, 'SIGKILL');
        } catch { /* already gone */ }
        setTimeout(() => { if (running()) child.kill('SIGKILL'); }, 2000).unref();
      } else {
        child.kill('SIGKILL');
      }
    },
    cleanup: () => {},
  };
}

async function unsandboxed(options: PythonOptions): Promise<Launcher> {
  const python = await findInterpreter(options.python);
  const base = { mode: 'none' as const, bwrap: null, bwrapVersion: null, uid: process.getuid?.() ?? null, seccomp: false };
  if (typeof python === 'string') {
    const status = { ...base, ready: false, python: null, pythonVersion: null, detail: python };
    return { status, spawn: () => { throw new Error(python); } };
  }
  const detail = 'EVALD_PYTHON_SANDBOX=none: python graders run WITHOUT a sandbox (only rlimits and a cleared environment); '
    + 'grader code can read the server\'s files and reach the network'
    + (base.uid === 0 ? ', and as root RLIMIT_NPROC does not apply' : '');
  process.emitWarning(detail, { code: 'EVALD_PYTHON_UNSANDBOXED' });
  return {
    status: { ...base, ready: true, python: python.executable, pythonVersion: python.version, detail },
    spawn: (opts, args = pythonArgs({ ...opts, maxProcesses: 1 })) => {
      const scratch = mkdtempSync(join(tmpdir(), 'evald-python-'));
      const env = { ...SANDBOX_ENV, HOME: scratch, TMPDIR: scratch };
      // detached: its own process group, so killing the worker also kills anything it forked.
      const child = spawn(python.executable, args, { cwd: scratch, env, stdio: 'pipe', detached: true });
      return {
        child,
        kill: () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch { /* already gone */ }
        },
        cleanup: () => rmSync(scratch, { recursive: true, force: true }),
      };
    },
  };
}

/** `EVALD_PYTHON`, else /usr/bin/python3, else python3 on PATH; asks it for its real executable (through shims). */
async function findInterpreter(configured: string | null): Promise<Interpreter | string> {
  const candidate = configured ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : findOnPath('python3'));
  if (!candidate) return 'python graders need python3: install it (`apt-get install python3`) or set EVALD_PYTHON';
  const script = 'import json,sys;print(json.dumps({"executable":sys.executable,"prefix":sys.prefix,'
    + '"base_prefix":sys.base_prefix,"version":sys.version.split()[0]}))';
  const result = await run(candidate, ['-I', '-c', script], {});
  try {
    const found = JSON.parse(result.stdout) as Interpreter;
    if (!found.executable) throw new Error('no sys.executable');
    return found;
  } catch {
    return `${candidate} did not run as python 3 (${(result.stderr || result.error || '').trim().slice(0, 300)}); set EVALD_PYTHON`;
  }
}

function findOnPath(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.map((dir) => join(dir, name)).find(isExecutable) ?? null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface RunResult { code: number | null; stdout: string; stderr: string; error: string | null }

/** The fd bwrap reads the seccomp filter from (`--seccomp 4`); 3 is its --info-fd. */
const SECCOMP_FD = 4;

function feedFilter(pipe: Writable, bpf: Buffer): void {
  pipe.on('error', () => {}); // bwrap exited before reading it: the spawn reports that
  pipe.end(bpf);
}

function run(command: string, args: string[], options: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'>, bpf: Buffer | null = null): Promise<RunResult> {
  if (bpf) return runWithFilter(command, args, options, bpf);
  return new Promise((resolve) => {
    execFile(command, args, { ...options, timeout: 20_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), error: error ? error.message : null });
    });
  });
}

// execFile has no extra fds: the same as run(), with the filter on fd 4.
function runWithFilter(command: string, args: string[], options: Pick<SpawnOptions, 'uid' | 'gid' | 'cwd' | 'env'>, bpf: Buffer): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ignore', 'pipe'], timeout: 20_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { if (stdout.length < 1024 * 1024) stdout += d.toString('utf8'); });
    child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 1024 * 1024) stderr += d.toString('utf8'); });
    feedFilter(child.stdio[SECCOMP_FD] as Writable, bpf);
    child.on('error', (e) => resolve({ code: null, stdout, stderr, error: e.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr, error: code === 0 ? null : `exit ${code}` }));
  });
}
