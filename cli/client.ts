/** A small JSON client for the Lumina HTTP API (local runtime by default). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class LuminaClient {
  /** `headers` go with every request (e.g. `x-lumina-actor` on the local runtime). */
  constructor(
    readonly endpoint: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.endpoint), {
        method,
        headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new ApiError(0, 'Unreachable', `cannot reach ${this.endpoint} (${(e as Error).message}); is \`npm start\` running?`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(res.status, 'BadResponse', `unexpected non-JSON answer (${res.status}) from ${path}`);
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? `Http${res.status}`, err?.message ?? `HTTP ${res.status}`, err?.details);
    }
    return json as T;
  }
}
