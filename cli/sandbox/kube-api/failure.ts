/**
 * How the in-memory Kubernetes API fails: every refusal is an `ApiFailure` carrying the HTTP status
 * and Status `reason` the real API server answers with, sent as a `Status` object.
 */

export type JsonObject = Record<string, unknown>;

export class ApiFailure extends Error {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function badRequest(message: string): ApiFailure {
  return new ApiFailure(400, 'BadRequest', message);
}

export function invalid(message: string): ApiFailure {
  return new ApiFailure(422, 'Invalid', message);
}

/** The `Status` object the API server sends with every error. */
export function statusObject(failure: ApiFailure): JsonObject {
  const details = (failure as ApiFailure & { details?: JsonObject }).details;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: failure.message,
    reason: failure.reason,
    ...(details ? { details } : {}),
    code: failure.status,
  };
}
