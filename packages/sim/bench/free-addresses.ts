import { createServer } from "node:net";

/**
 * The `host:port` pairs of `hosts` × `ports` something already listens on
 * (found by trying to bind each), so a run never collides with members other
 * people's tests or tools started on the same ids.
 */
export async function busyAddresses(hosts: string[], ports: number[]): Promise<string[]> {
  const busy: string[] = [];
  for (const host of hosts) {
    for (const port of ports) {
      if (!(await canBind(host, port))) busy.push(`${host}:${port}`);
    }
  }
  return busy;
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
