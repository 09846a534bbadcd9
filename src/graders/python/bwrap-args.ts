import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PythonOptions } from './options.js';
import { WORKER_SCRIPT } from './worker-script.js';

/** What the interpreter says about itself (asked once on the host; see sandbox.ts). */
export interface Interpreter { executable: string; prefix: string; base_prefix: string; version: string }

/** The host paths the sandbox sees, read-only. Everything else (/root, /work, /home, /etc, /var, /run, /sys) is absent. */
export interface Layout { roBinds: string[]; symlinks: Array<[target: string, link: string]>; python: string }

/** Flags newer than what old distros ship (--size: bwrap 0.7, --disable-userns: 0.8, --clearenv: 0.5). */
export interface BwrapFeatures { size: boolean; disableUserns: boolean; clearenv: boolean }

/** bwrap 0.8 and later. */
export const ALL_FEATURES: BwrapFeatures = { size: true, disableUserns: true, clearenv: true };

// The whole environment of the sandbox. Library thread pools size themselves by core count and would trip
// RLIMIT_NPROC (which counts threads), hence the *_NUM_THREADS.
export const SANDBOX_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', TMPDIR: '/tmp', LANG: 'C.UTF-8',
  OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', NUMEXPR_NUM_THREADS: '1' };

/** Which optional flags this bwrap knows, from its `--help`. */
export function bwrapFeatures(help: string): BwrapFeatures {
  const has = (flag: string) => help.includes(flag);
  return { size: has('--size'), disableUserns: has('--disable-userns'), clearenv: has('--clearenv') };
}

/** The bwrap arguments before the command: every namespace unshared (no network, own pids), no caps, no env. */
export function bwrapArgs(
  layout: Layout, options: Pick<PythonOptions, 'scratchMb'>, features: BwrapFeatures = ALL_FEATURES,
): string[] {
  const args = ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--hostname', 'sandbox',
    // Python itself is pid 1: bwrap's own init would report the exit and leave, orphaning itself to the host's
    // init, which in a container may be node and never reap it. The worker reaps its own zombies instead.
    '--as-pid-1'];
  // Nested user namespaces are kernel attack surface a grader never needs.
  if (features.disableUserns) args.push('--disable-userns');
  // Without --clearenv the spawn's own env (PATH only) is all there is; with it, not even that leaks.
  if (features.clearenv) args.push('--clearenv');
  for (const [name, value] of Object.entries(SANDBOX_ENV)) args.push('--setenv', name, value);
  for (const path of layout.roBinds) args.push('--ro-bind', path, path);
  for (const [target, link] of layout.symlinks) args.push('--symlink', target, link);
  // The loader finds the multiarch libs without it, but slower and not on every distro.
  if (existsSync('/etc/ld.so.cache')) args.push('--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache');
  args.push('--proc', '/proc', '--dev', '/dev');
  if (features.size) args.push('--size', String(options.scratchMb * 1024 * 1024));
  // bwrap's own root and /dev are unbounded tmpfs: read-only, or they are a way around the memory limit.
  args.push('--tmpfs', '/tmp', '--remount-ro', '/dev', '--remount-ro', '/', '--chdir', '/tmp');
  return args;
}

/** The interpreter's own arguments: isolated mode (no PYTHON* env, no user site, no cwd on sys.path), then the limits. */
export function pythonArgs(options: PythonOptions): string[] {
  const mb = 1024 * 1024;
  return ['-I', '-B', '-X', 'utf8', '-c', WORKER_SCRIPT, String(options.memoryMb * mb), String(options.maxProcesses),
    String(options.scratchMb * mb), String(64 * 1024)];
}

/** Binds /usr plus the interpreter's prefixes; merged-usr links (/lib → usr/lib) stay symlinks. */
export function hostLayout(python: Interpreter): Layout {
  const roBinds = ['/usr'];
  const symlinks: Layout['symlinks'] = [];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const stat = lstatSync(top, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) symlinks.push([readlinkSync(top), top]);
    else if (stat?.isDirectory()) roBinds.push(top);
  }
  // A pyenv or venv interpreter lives outside /usr: bind just its prefix, never all of /root or /home.
  for (const dir of [python.base_prefix, python.prefix, dirname(realpathSync(python.executable))]) {
    if (dir === '/' || !dir.startsWith('/')) throw new Error(`refusing to expose python prefix ${JSON.stringify(dir)}`);
    if (!roBinds.some((bound) => dir === bound || dir.startsWith(`${bound}/`))) roBinds.push(dir);
  }
  return { roBinds, symlinks, python: python.executable };
}
