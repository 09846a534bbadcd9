/** Longest piece of a request a message quotes: a 1 MB key or value is echoed as its first characters. */
const MAX_QUOTE = 200;

/** `value` as an error message quotes it: whole if short, else its first MAX_QUOTE characters and how long it was. */
export function quote(value: string, max = MAX_QUOTE): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** The one error type the API edge turns into OpenAI's `{"error":{message,type,param,code}}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 400: a field of the request is wrong; `param` is its path, e.g. `testing_criteria[1].pass_threshold`. */
  static invalid(param: string | null, message: string, code: string | null = null): ApiError {
    return new ApiError(400, 'invalid_request_error', message, param, code);
  }

  /** 404 for an object this project cannot see; says which kind and id. */
  static notFound(kind: string, id: string, param: string | null = null): ApiError {
    return new ApiError(404, 'invalid_request_error', `No ${kind} found with id '${id}'.`, param, 'not_found');
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(401, 'invalid_request_error', message, null, 'invalid_api_key');
  }

  static conflict(message: string, param: string | null = null): ApiError {
    return new ApiError(409, 'invalid_request_error', message, param, 'conflict');
  }

  static tooLarge(message: string): ApiError {
    return new ApiError(413, 'invalid_request_error', message, null, 'request_too_large');
  }

  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}
