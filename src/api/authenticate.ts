import { OPEN_MODE_PROJECT, type KeysService } from '../services/keys.js';
import { ApiError } from './errors.js';

const BEARER = /^Bearer\s+(.+)$/i;

/**
 * The project a request's Authorization header gives it: its key's, or `default` in open local mode;
 * else a 401 that says whether a key was missing or wrong.
 */
export async function authenticate(keys: KeysService, header: string | undefined): Promise<string> {
  const bearer = BEARER.exec(header ?? '')?.[1]?.trim();
  if (bearer) {
    const project = await keys.projectOf(bearer);
    if (project) return project;
  }
  if (await keys.isOpenMode()) return OPEN_MODE_PROJECT;
  throw ApiError.unauthorized(bearer
    ? 'Incorrect API key provided. Make one with `evald keys create --project NAME`.'
    : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
}
