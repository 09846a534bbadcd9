import type { Logger } from 'pino';
import type { Services } from '../services/index.js';

/** What every request handler can read from `c.var`. */
export interface AppEnv {
  Variables: {
    services: Services;
    project: string;
    requestId: string;
    log: Logger;
    /** The error answered, when the answer is one: its code and param go into the request's log line. */
    apiError?: { code: string | null; param: string | null };
  };
}
