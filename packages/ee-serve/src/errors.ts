/**
 * Errors in the OpenAI error shape, as vLLM returns them:
 * `{"error": {"message", "type", "param", "code"}}` with `code` the HTTP status.
 */

/** The error `type` strings vLLM uses, by HTTP status. */
const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "BadRequestError",
  404: "NotFoundError",
  405: "MethodNotAllowedError",
  413: "RequestEntityTooLargeError",
  415: "UnsupportedMediaTypeError",
  429: "TooManyRequestsError",
  500: "InternalServerError",
  503: "ServiceUnavailableError",
};

/** An error the server answers with (never a stack trace, never a secret). */
export class ApiError extends Error {
  /** HTTP status (4xx for the client's mistakes, 5xx for ours). */
  readonly status: number;
  /** The request field at fault, when one is (e.g. `"max_tokens"`, `"prompt[1][3]"`). */
  readonly param: string | null;

  constructor(status: number, message: string, param: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.param = param;
  }
}

/** The JSON body of an error response. */
export interface ErrorBody {
  /** The error. */
  error: {
    /** One line saying what is wrong and, where it helps, what to send instead. */
    message: string;
    /** vLLM's error class name, e.g. `"BadRequestError"`. */
    type: string;
    /** The field at fault, or null. */
    param: string | null;
    /** The HTTP status (vLLM's convention). */
    code: number;
  };
}

/** Body for `err` (an `ApiError`, or anything else as a 500 with its message). */
export function errorBody(err: unknown): ErrorBody {
  const e =
    err instanceof ApiError ? err : new ApiError(500, `internal error: ${(err as Error)?.message ?? err}`);
  return {
    error: {
      message: e.message,
      type: TYPE_BY_STATUS[e.status] ?? "Error",
      param: e.param,
      code: e.status,
    },
  };
}

/** 400 with `param` named. */
export function badRequest(param: string, message: string): ApiError {
  return new ApiError(400, `${param}: ${message}`, param);
}
