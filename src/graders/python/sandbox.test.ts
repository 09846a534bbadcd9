import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GradeError } from '../grader.js';
import { createPythonAccess, pythonSandboxStatus } from './index.js';
import { resolvePythonOptions } from './options.js';
import { bwrapArgs, bwrapFeatures } from './bwrap-args.js';
import { getLauncher } from './sandbox.js';

const signal = new AbortController().signal;
const SECRET = `evald-secret-${Math.random().toString(36).slice(2)}`;

/** The score, or the error code: attacks must never come back as 1. */
async function outcome(score: Promise<number>): Promise<number | string> {
  try {
    return await score;
  } catch (error) {
    if (error instanceof GradeError) return error.code;
    throw error;
  }
}

/** A grader that attacks when `item.attack` is set (returning 1.0 only if it got through) and otherwise scores normally. */
const attack = (body: string) => `
import os, json, socket, math, time
def grade(sample, item):
    if not item.get("attack"):
        return sample["output_json"]["n"] / 10
${body.trim().split('\n').map((line) => `    ${line}`).join('\n')}
`;

describe('sandbox detection', () => {
  it('finds bwrap and the system python and runs unprivileged', async () => {
    const status = await pythonSandboxStatus();
    expect(status).toMatchObject({ ready: true, mode: 'bwrap', bwrap: expect.stringMatching(/bwrap$/), seccomp: true });
    expect(status.detail).toContain('seccomp: no fork');
    if (process.getuid?.() === 0) expect(status.uid).toBe(65534);
  });

  it('isolates everything and binds nothing of /root, /work, /home or /etc but the loader cache', async () => {
    const launcher = await getLauncher(resolvePythonOptions());
    expect(launcher.status.ready).toBe(true);
    expect(launcher.status.detail).not.toMatch(/\/(root|work|home|etc|var)\b/);
    const args = bwrapArgs({ roBinds: ['/usr'], symlinks: [['usr/lib', '/lib']], python: '/usr/bin/python3' }, { scratchMb: 8 });
    for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv', '--as-pid-1']) {
      expect(args).toContain(flag);
    }
    expect(args.join(' ')).toContain('--cap-drop ALL');
    expect(args.join(' ')).toContain('--size 8388608 --tmpfs /tmp --remount-ro /dev --remount-ro /');
    const bound = args.flatMap((arg, i) => (arg === '--ro-bind' || arg === '--bind' ? [args[i + 1]] : []));
    expect(bound.filter((path) => !['/usr', '/etc/ld.so.cache'].includes(path!))).toEqual([]);
  });

  it('leaves out the flags an older bwrap does not know', () => {
    expect(bwrapFeatures('usage: bwrap [OPTIONS...] [--] COMMAND\n    --clearenv   Unset all environment variables'))
      .toEqual({ size: false, disableUserns: false, clearenv: true });
    const args = bwrapArgs({ roBinds: ['/usr'], symlinks: [], python: '/usr/bin/python3' }, { scratchMb: 8 },
      { size: false, disableUserns: false, clearenv: false });
    expect(args).not.toContain('--size');
    expect(args).not.toContain('--disable-userns');
    expect(args).toContain('--unshare-all');
  });

  it('refuses, naming the package, when bwrap is missing', async () => {
    const status = await pythonSandboxStatus({ bwrap: '/nonexistent/bwrap' });
    expect(status.ready).toBe(false);
    expect(status.detail).toContain('apt-get install bubblewrap');
    expect(status.detail).toContain('EVALD_PYTHON_SANDBOX=none');
    const python = createPythonAccess({ bwrap: '/nonexistent/bwrap' });
    await expect(python.grade('def grade(s, i): return 1', {}, {}, signal)).rejects.toMatchObject({ code: 'python_sandbox_unavailable' });
  });

  it('refuses when bwrap cannot create its namespaces', async () => {
    const status = await pythonSandboxStatus({ bwrap: '/bin/false' });
    expect(status.ready).toBe(false);
    expect(status.detail).toMatch(/could not start a sandbox.*user namespaces/);
  });
});

describe('what grader code can reach inside the sandbox', () => {
  const python = createPythonAccess({ timeoutMs: 3000, memoryMb: 512 });
  let hostDir: string;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    process.env.EVALD_TEST_SECRET = SECRET;
    // World-readable and -writable, so only the sandbox's mount namespace stands between it and the grader.
    // Not under /tmp, which the sandbox shadows with its scratch dir anyway.
    hostDir = mkdtempSync(existsSync('/var/tmp') ? '/var/tmp/evald-host-' : join(tmpdir(), 'evald-host-'));
    chmodSync(hostDir, 0o777);
    writeFileSync(join(hostDir, 'evald.sqlite'), SECRET, { mode: 0o644 });
    server = createServer((socket) => { connections += 1; socket.end(SECRET); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await python.close();
    server.close();
    rmSync(hostDir, { recursive: true, force: true });
    delete process.env.EVALD_TEST_SECRET;
  });

  /** Runs the attack, then a normal item through the same pool, which must still grade. */
  async function attempt(body: string, item: Record<string, unknown> = {}): Promise<number | string> {
    const source = attack(body);
    const result = await outcome(python.grade(source, {}, { attack: true, ...item }, signal));
    expect(await python.grade(source, { output_json: { n: 7 } }, {}, signal)).toBe(0.7);
    return result;
  }

  it('cannot read /etc/passwd', async () => {
    expect(await attempt(`return 1.0 if "root:" in open("/etc/passwd").read() else 0.0`)).toBe('python_exception');
  });

  it('cannot read a file of the server (the database) nor list its directory', async () => {
    const result = await attempt(`
try:
    return 1.0 if item["secret"] in open(item["path"]).read() else 0.0
except OSError:
    return 1.0 if os.path.exists(os.path.dirname(item["path"])) else 0.0`, { path: join(hostDir, 'evald.sqlite'), secret: SECRET });
    expect(result).toBe(0);
  });

  it('sees none of the server\'s environment', async () => {
    const result = await attempt(`
seen = json.dumps(dict(os.environ)) + open("/proc/self/environ").read() + open("/proc/1/environ").read()
return 1.0 if item["secret"] in seen or "EVALD_TEST_SECRET" in seen else 0.0`, { secret: SECRET });
    expect(result).toBe(0);
  });

  it('sees no host process in /proc', async () => {
    const result = await attempt(`
pids = [p for p in os.listdir("/proc") if p.isdigit()]
cmdlines = "".join(open("/proc/%s/cmdline" % p).read() for p in pids)
return 1.0 if item["exe"] in cmdlines or "vitest" in cmdlines or len(pids) > 3 or os.path.exists("/proc/%d" % item["host_pid"]) else 0.0`,
    { host_pid: process.pid, exe: process.execPath });
    expect(result).toBe(0);
  });

  it('cannot connect to the server\'s port on 127.0.0.1, nor anywhere else', async () => {
    const result = await attempt(`
for host in ["127.0.0.1", "1.1.1.1"]:
    try:
        socket.create_connection((host, item["port"] if host == "127.0.0.1" else 80), timeout=1).close()
        return 1.0
    except OSError:
        pass
return 0.0`, { port });
    expect(result).toBe(0);
    expect(connections).toBe(0);
  });

  it('cannot write outside its scratch dir, and the scratch dir is private', async () => {
    const name = `escape-${Math.random().toString(36).slice(2)}`;
    const result = await attempt(`
open("/tmp/" + item["name"], "w").write("scratch is fine")
wrote = 0.0
for dir in [item["host_dir"], "/usr", "", "/etc", "/dev", "/dev/shm"]:
    path = dir + "/" + item["name"]
    try:
        open(path, "w").write("x")
        wrote = 1.0
    except OSError:
        pass
return wrote`, { host_dir: hostDir, name });
    expect(result).toBe(0);
    expect(existsSync(join(hostDir, name))).toBe(false);
    expect(existsSync(join(tmpdir(), name))).toBe(false);
  });

  it('is killed when it loops forever', async () => {
    expect(await attempt('while True:\n    pass')).toBe('python_timeout');
  });

  it('cannot allocate 20 GB, at once or bit by bit', async () => {
    expect(await attempt('x = bytearray(20 * 1024**3)\nreturn 1.0')).toBe('python_memory_exceeded');
    expect(await attempt('x = []\nwhile True:\n    x.append(bytearray(64 * 1024**2))')).toBe('python_memory_exceeded');
  });

  it('cannot fork without end', async () => {
    expect(await attempt('while True:\n    os.fork()')).toBe('python_exception');
    expect(await attempt(`
for _ in range(100000):
    if os.fork() == 0:
        time.sleep(3600)
return 1.0`)).toBe('python_exception');
  });

  it('is one process: fork, subprocess and multiprocessing are refused by seccomp, threads still work', async () => {
    // Several processes would each get the memory limit; one process with threads shares it.
    expect(await attempt(`
import threading, subprocess, multiprocessing
t = threading.Thread(target=lambda: None)
t.start()
t.join()
for start in (lambda: subprocess.run(["/usr/bin/true"]), lambda: multiprocessing.Process(target=print).start(), os.fork):
    try:
        start()
        return 1.0
    except OSError:
        pass
return 0.0`)).toBe(0);
  });

  it('cannot hold memory outside its address space (memfd, SysV shared memory)', async () => {
    expect(await attempt(`
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
try:
    os.memfd_create("hoard")
    return 1.0
except OSError:
    pass
return 1.0 if libc.shmget(0, 1 << 20, 0o1600) >= 0 else 0.0`)).toBe(0);
  });

  it('holds no file descriptor but its own channels (nothing the server inherited)', async () => {
    const result = await attempt(`
fds = [int(f) for f in os.listdir("/proc/self/fd")]
return 1.0 if max(fds) > 10 or len(fds) > 8 else 0.0`);
    expect(result).toBe(0);
  });

  it('cannot create a user namespace to get capabilities back', async () => {
    const result = await attempt(`
import ctypes
return 1.0 if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0 else 0.0`);
    expect(result).toBe(0);
  });
});
