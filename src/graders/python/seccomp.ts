// The sandbox's seccomp filter, compiled by libseccomp (Debian's python3-seccomp) on the host once per
// process and handed to bubblewrap (`--seccomp FD`), which loads it just before it starts python.
//
// Why: RLIMIT_AS bounds one process, so a grader that forks five children holds five times the memory limit.
// With fork and non-thread clone refused, a worker is one process (threads share its address space) and the
// memory limit bounds the whole worker. The other rules close ways around that limit (memory no address
// space counts: memfd, SysV shared memory) and kernel interfaces a grader never needs. libseccomp knows each
// architecture's syscall numbers and writes the architecture check; hand-written BPF would have to.
import { execFile } from 'node:child_process';

const GENERATOR = String.raw`
import errno, sys, seccomp
f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
deny = seccomp.ERRNO(errno.EPERM)
def rule(action, name, *args):
    try:
        f.add_rule(action, name, *args)
    except (RuntimeError, ValueError, OSError):
        pass  # not a syscall on this architecture (fork on aarch64, say)
for name in ('fork', 'vfork', 'memfd_create', 'memfd_secret', 'shmget', 'ptrace', 'process_vm_readv', 'process_vm_writev',
             'keyctl', 'add_key', 'request_key', 'bpf', 'userfaultfd', 'perf_event_open', 'io_uring_setup',
             'io_uring_enter', 'io_uring_register', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module'):
    rule(deny, name)
# clone: threads (CLONE_THREAD) only; clone3 hides its flags in memory a filter cannot read, so it is
# "not implemented" and the C library falls back to clone.
rule(deny, 'clone', seccomp.Arg(0, seccomp.MASKED_EQ, 0x00010000, 0))
rule(seccomp.ERRNO(errno.ENOSYS), 'clone3')
f.export_bpf(sys.stdout.buffer)
`;

/** A compiled filter, or why there is none (the text for the sandbox's status). */
export type SeccompFilter = { bpf: Buffer } | { missing: string };

/**
 * Compiles the filter with the first of `interpreters` that has the `seccomp` module. A classic BPF
 * program is a whole number of 8-byte instructions; anything else is not one.
 */
export async function compileSeccompFilter(interpreters: string[]): Promise<SeccompFilter> {
  const reasons: string[] = [];
  for (const python of [...new Set(interpreters)]) {
    const out = await new Promise<{ bpf: Buffer; error: string | null }>((resolve) => {
      execFile(python, ['-I', '-c', GENERATOR], { encoding: 'buffer', timeout: 20_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ bpf: stdout, error: error ? (stderr.toString('utf8').trim().split('\n').at(-1) ?? error.message) : null });
      });
    });
    if (out.error === null && out.bpf.length > 0 && out.bpf.length % 8 === 0) return { bpf: out.bpf };
    reasons.push(`${python}: ${out.error ?? 'no filter written'}`);
  }
  return { missing: `no seccomp filter: python3-seccomp (libseccomp) is not installed (${reasons.join('; ')})` };
}
