import { createServer } from "node:net";

/**
 * Picks one run of consecutive member ids per entry of `counts` (an `atoll sim
 * --count N --id FIRST` process needs consecutive ids), from ids in
 * `[first, last]` whose API and admin addresses (127.<id>.0.1:`port` and
 * `port`+1) nobody listens on, so the run never collides with members other
 * tests or benchmarks started. Returns the first id of each run, in order.
 */
export async function allocateMemberIds(options: {
  counts: number[];
  first: number;
  last: number;
  port: number;
  /** Ids that are never used (other suites' fixed ids, even when idle right now). */
  avoid: ReadonlySet<number>;
}): Promise<number[]> {
  const free: boolean[] = [];
  for (let id = options.first; id <= options.last; id++) {
    const host = `127.${id}.0.1`;
    free[id] =
      !options.avoid.has(id) &&
      (await canBind(host, options.port)) &&
      (await canBind(host, options.port + 1));
  }
  const starts: number[] = [];
  let id = options.first;
  for (const count of options.counts) {
    let start = -1;
    for (let candidate = id; candidate + count - 1 <= options.last; candidate++) {
      let run = 0;
      while (run < count && free[candidate + run]) run++;
      if (run === count) {
        start = candidate;
        break;
      }
      candidate += run;
    }
    if (start < 0)
      throw new Error(
        `no ${count} consecutive free member ids in ${options.first}–${options.last} on port ${options.port}`,
      );
    starts.push(start);
    id = start + count;
  }
  return starts;
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
