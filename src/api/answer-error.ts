import type { Logger } from 'pino';
import { isStorageFull, isUnstorableText, STORAGE_FULL_MESSAGE } from '../storage/index.js';
import { ApiError } from './errors.js';

/** An error as the API answers it: status, OpenAI's envelope, and the code and param of the request's log line. */
export interface ErrorAnswer {
  status: number;
  body: ReturnType<ApiError['toBody']>;
  /** Set for an ApiError only: the request log line names its code and param. */
  apiError?: { code: string | null; param: string | null };
}

/**
 * The one mapping from a thrown error to an answer (app.onError and the gateway's listener both use it):
 * an ApiError as itself, a full store as 507, a NUL the store cannot hold as 400, anything else as a 500
 * that reveals nothing internal and is logged with its request id.
 */
export function answerError(err: unknown, requestId: string, log: Logger): ErrorAnswer {
  if (err instanceof ApiError) return { status: err.status, body: err.toBody(), apiError: { code: err.code, param: err.param } };
  if (isStorageFull(err)) {
    log.error({ request_id: requestId, err, cause: 'storage_full' }, `request refused: ${STORAGE_FULL_MESSAGE}`);
    return { status: 507, body: new ApiError(507, 'server_error', "evald's storage is full: the database or its disk has no space left. Try again once the operator has freed space.", null, 'storage_full').toBody() };
  }
  if (isUnstorableText(err)) {
    return { status: 400, body: ApiError.invalid(null, 'A text value in this request contains a NUL character (\\u0000), which evald cannot store. Remove it.', 'invalid_value').toBody() };
  }
  log.error({ request_id: requestId, err }, 'unhandled error');
  return { status: 500, body: new ApiError(500, 'server_error', `The server had an error processing your request (request id ${requestId}).`).toBody() };
}
