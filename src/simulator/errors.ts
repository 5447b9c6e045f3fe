// Errors a route throws to answer with a ConnectWise-shaped body (API-NOTES §3.3):
// `{code, message, errors?: [{code, message, resource, field}]}`; null members are omitted like
// every other null in this API.

export interface ValidationError {
  code: string;
  message: string;
  resource: string;
  field: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** 400 InvalidObject with one validation entry, the shape ConnectWise uses for field problems. */
export function invalid(resource: string, field: string, code: string, message: string): ApiError {
  return new ApiError(400, {
    code: 'InvalidObject',
    message: `${resource} object is invalid`,
    errors: [{ code, message, resource, field } satisfies ValidationError],
  });
}

export function notFound(message: string): ApiError {
  return new ApiError(404, { code: 'NotFound', message });
}
