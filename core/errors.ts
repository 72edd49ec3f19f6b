/**
 * Typed errors with stable codes. Entry points map codes to Slack replies, CLI exit codes and
 * Lambda failure modes in one place; messages say what was wrong, the value received, and what to do.
 */
export type ErrorCode =
  | 'INVALID_EVENT'
  | 'LIMIT_EXCEEDED'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'UPSTREAM'
  | 'RATE_LIMITED'
  | 'UNSUPPORTED'
  | 'PRECONDITION_FAILED'
  | 'INTERNAL';

export class KubeguardError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'KubeguardError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** An input event (GuardDuty, CloudWatch Logs, audit event) that cannot be decoded. */
export class InvalidEventError extends KubeguardError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('INVALID_EVENT', message, options);
    this.name = 'InvalidEventError';
  }
}

/**
 * An input refused as a whole because it exceeds a size limit (a CloudWatch Logs batch with too many
 * log events or too many bytes decompressed). `details` names the limit, its maximum and the value
 * received, so one log line says what was refused and why.
 */
export class LimitExceededError extends KubeguardError {
  constructor(
    message: string,
    details: { field: string; limit: string; max: number; received: number | string },
    options: { cause?: unknown } = {},
  ) {
    super('LIMIT_EXCEEDED', message, { ...options, details });
    this.name = 'LimitExceededError';
  }
}

export class ConfigError extends KubeguardError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('INVALID_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** Normalizes anything thrown into a KubeguardError without losing the original as `cause`. */
export function asKubeguardError(error: unknown): KubeguardError {
  if (error instanceof KubeguardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KubeguardError('INTERNAL', message, { cause: error });
}
