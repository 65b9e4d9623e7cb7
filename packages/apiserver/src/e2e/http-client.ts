/** A thin HTTP client for tests that speak to the API server as any Kubernetes client would. */
export type Response = { status: number; headers: Headers; body: Record<string, unknown>; text: string };

export type RequestOptions = {
  method?: string;
  body?: unknown;
  /** Raw body text (sent as is). */
  raw?: string;
  contentType?: string;
  accept?: string;
  token?: string;
};

export function httpClient(baseUrl: string) {
  return async function request(path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    if (options.accept) headers.accept = options.accept;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(baseUrl + path, { method: options.method ?? "GET", headers, body: payload });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    return { status: response.status, headers: response.headers, body, text };
  };
}

/** Reads a watch stream's events until `count` arrive or `timeoutMs` passes. */
export async function readWatch(
  url: string,
  options: { count: number; timeoutMs: number; onOpen?: () => Promise<void> | void },
): Promise<Array<{ type: string; object: Record<string, unknown> }>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const events: Array<{ type: string; object: Record<string, unknown> }> = [];
  try {
    const response = await fetch(url, { signal: controller.signal });
    await options.onOpen?.();
    const reader = response.body?.getReader();
    if (!reader) return events;
    const decoder = new TextDecoder();
    let buffer = "";
    while (events.length < options.count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) events.push(JSON.parse(line));
        newline = buffer.indexOf("\n");
      }
    }
    await reader.cancel();
  } catch (error) {
    if (!(error instanceof Error && error.name === "AbortError")) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
