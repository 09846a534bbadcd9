import { describe, expect, it } from 'vitest';
import { compileSeccompFilter } from './seccomp.js';

describe('compileSeccompFilter', () => {
  it('compiles a BPF program with libseccomp', async () => {
    const filter = await compileSeccompFilter(['/usr/bin/python3']);
    expect('bpf' in filter).toBe(true);
    const bpf = (filter as { bpf: Buffer }).bpf;
    expect(bpf.length % 8).toBe(0);
    expect(bpf.length).toBeGreaterThan(8 * 10);
  });

  it('says what to install when no interpreter has the seccomp module', async () => {
    const filter = await compileSeccompFilter(['/nonexistent/python3']);
    expect(filter).toEqual({ missing: expect.stringMatching(/python3-seccomp .* not installed .*\/nonexistent\/python3/) });
  });
});
