import { hash as digest, randomBytes } from 'node:crypto';
import { newId } from '../domain/ids.js';
import type { KeyRecord, Store } from '../storage/index.js';

const PREFIX_LENGTH = 14;
const hash = (key: string) => digest('sha256', key, 'hex');

// While no key has ever existed, evald is in open local mode. The answer is cached briefly so that a key
// made by `evald keys create` in another process takes effect within a second, without a query per request.
const OPEN_MODE_CACHE_MS = 1000;
// Which project a bearer belongs to (or that it belongs to none) is kept as long, for the same reason: a
// lookup per request cost a gateway call a fifth of its CPU. A key made or revoked in this process takes
// effect at once (the cache is cleared); one revoked by `evald keys revoke` or another server, within a
// second. Entries are keyed by the key's hash, never the key, and bounded, so that a flood of made-up
// bearers cannot grow the map.
const KEY_CACHE_MS = 1000;
const KEY_CACHE_MAX = 10_000;

/**
 * API keys and the project each one belongs to. Open local mode ends for good the first time a key exists:
 * revoking every key afterwards makes every request a 401, never an open door; and a server listening
 * beyond loopback never enters it at all (requireKeys).
 */
export class KeysService {
  private openModeCheckedAt = 0;
  private openMode = true;
  private keysRequired = false;
  private readonly projects = new Map<string, { project: string | undefined; at: number }>();
  // Bumped whenever the cache is cleared, so a lookup that raced a revoke does not put its old answer back.
  private generation = 0;

  constructor(private readonly store: Store) {}

  /** From now on no bearer is accepted without a key, whatever the store holds (a non-loopback listener). */
  requireKeys(): void {
    this.keysRequired = true;
  }

  /** Makes a key for `project`; the returned `key` is the only time it is ever shown. */
  async create(project: string, name: string | null = null): Promise<KeyRecord & { key: string }> {
    const key = `sk-evald-${randomBytes(24).toString('base64url')}`;
    const record: KeyRecord = {
      id: newId('key_'), project, name, prefix: key.slice(0, PREFIX_LENGTH), created_at: Math.floor(Date.now() / 1000), revoked_at: null,
    };
    await this.store.keys.insert({ ...record, key_hash: hash(key) });
    this.openMode = false;
    this.#forgetProjects();
    return { ...record, key };
  }

  list(): Promise<KeyRecord[]> {
    return this.store.keys.list();
  }

  /**
   * Revokes by id, by prefix (as `keys list` prints it, its trailing `…` or `...` allowed) or by the key
   * itself; returns how many keys it revoked.
   */
  async revoke(target: string): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    const trimmed = target.trim().replace(/(?:…|\.\.\.)$/, '');
    try {
      if (trimmed.length > PREFIX_LENGTH && trimmed.startsWith('sk-evald-')) {
        const found = await this.store.keys.findActiveByHash(hash(trimmed));
        return found ? await this.store.keys.revoke(found.id, now) : 0;
      }
      return await this.store.keys.revoke(trimmed, now);
    } finally {
      this.#forgetProjects();
    }
  }

  /** True while no key has ever existed (and keys are not required): then any bearer is accepted, as `default`. */
  async isOpenMode(): Promise<boolean> {
    if (this.keysRequired || !this.openMode) return false;
    const now = Date.now();
    if (now - this.openModeCheckedAt > OPEN_MODE_CACHE_MS) {
      // Once closed it stays closed: only the first key matters, so revoking keys never reopens it.
      this.openMode = (await this.store.keys.countEver()) === 0;
      this.openModeCheckedAt = now;
    }
    return this.openMode;
  }

  /** The project of an active key, or undefined. */
  async projectOf(key: string): Promise<string | undefined> {
    const h = hash(key);
    const now = Date.now();
    const cached = this.projects.get(h);
    if (cached && now - cached.at <= KEY_CACHE_MS) return cached.project;
    const generation = this.generation;
    const project = (await this.store.keys.findActiveByHash(h))?.project;
    if (generation === this.generation) {
      if (this.projects.size >= KEY_CACHE_MAX) this.projects.clear();
      this.projects.set(h, { project, at: now });
    }
    return project;
  }

  #forgetProjects(): void {
    this.projects.clear();
    this.generation += 1;
  }
}

export const OPEN_MODE_PROJECT = 'default';
