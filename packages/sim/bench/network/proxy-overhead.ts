import { MiB, median, round, type Summary, summarize } from "@atoll/bench-kit";
import { exchange, until } from "@atoll/sim/network/testing";
import type { NetworkFleet, NetworkMember } from "./fleet.ts";
import { roundTripMs, uploadMs } from "./tcp-client.ts";
import { createClusterIpService, createServedPod } from "./workloads.ts";

export type ProxyOverheadOptions = {
  /** Bytes per bulk transfer, in MiB. */
  bulkMiB: number;
  /** Bulk transfers per path, alternating direct and proxied. */
  bulkRuns: number;
  /** Connections per path for the latency figures, alternating direct and proxied. */
  connections: number;
  /** Connections per path made first and not counted. */
  warmup: number;
  log: (line: string) => void;
};

export type ProxyOverheadResult = {
  bulk: {
    mib: number;
    runs: number;
    directMiBps: number[];
    proxiedMiBps: number[];
    directMedianMiBps: number;
    proxiedMedianMiBps: number;
    /** Median proxied MiB/s over median direct MiB/s. */
    ratio: number;
  };
  /** Connect, send `ping`, first byte of the answer; ms. */
  latency: {
    connections: number;
    directMs: Summary;
    proxiedMs: Summary;
    ratioP50: number;
    ratioP99: number;
    failures: number;
  };
  /**
   * CPU time of the proxying member's process over each phase, less its idle
   * rate measured beforehand, per proxied connection (warm-up included) and per
   * MiB proxied: direct traffic does not touch that process.
   */
  proxyCpu: { idleMsPerSecond: number; msPerConnection: number; msPerMiB: number };
};

/** Where the benchmark pod listens: directly, and behind its Service's cluster IP. */
type Paths = { podIp: string; echoPort: number; sinkPort: number; clusterIp: string };

const ECHO_PORT = 8080;
const SINK_PORT = 8081;
const CONNECT_TIMEOUT_MS = 5000;
const BULK_TIMEOUT_MS = 120_000;
const IDLE_SAMPLE_MS = 2000;

/**
 * Throughput and per-connection latency of k8s-1's userspace proxy against a
 * direct connection, in one run. One pod in k8s-1 (its servers in the backend
 * process) behind a ClusterIP Service; this process is the client of both
 * paths, so the proxied path differs from the direct one only by the hop
 * through the member process's proxy. Each figure alternates the two paths so
 * both see the same machine.
 */
export async function measureProxyOverhead(
  fleet: NetworkFleet,
  options: ProxyOverheadOptions,
): Promise<ProxyOverheadResult> {
  const member = fleet.members[0];
  const paths = await serveBenchPod(fleet, member);
  options.log(`proxy: ${member.name}'s Service bench at ${paths.clusterIp} → pod ${paths.podIp}`);
  const cpu = await CpuMeter.start(member);

  const bulkStart = await cpu.mark();
  const bulk = await measureBulk(paths, options);
  const bulkCpuMs = await cpu.since(bulkStart);
  options.log(`proxy: bulk MiB/s direct ${bulk.direct.join(", ")}; proxied ${bulk.proxied.join(", ")}`);

  const connectionsStart = await cpu.mark();
  const latency = await measureConnections(paths, options);
  const connectionsCpuMs = await cpu.since(connectionsStart);
  const directMs = summarize(latency.direct, 3);
  const proxiedMs = summarize(latency.proxied, 3);
  options.log(`proxy: connect+ping ms ${JSON.stringify({ directMs, proxiedMs })}`);
  return {
    bulk: {
      mib: options.bulkMiB,
      runs: options.bulkRuns,
      directMiBps: bulk.direct,
      proxiedMiBps: bulk.proxied,
      directMedianMiBps: median(bulk.direct),
      proxiedMedianMiBps: median(bulk.proxied),
      ratio: round(median(bulk.proxied) / median(bulk.direct), 3),
    },
    latency: {
      connections: options.connections,
      directMs,
      proxiedMs,
      ratioP50: round(proxiedMs.p50 / directMs.p50, 2),
      ratioP99: round(proxiedMs.p99 / directMs.p99, 2),
      failures: latency.failures,
    },
    proxyCpu: {
      idleMsPerSecond: round(cpu.idleMsPerSecond, 2),
      msPerConnection: round(connectionsCpuMs / (options.warmup + options.connections), 3),
      msPerMiB: round(bulkCpuMs / (options.bulkMiB * options.bulkRuns), 3),
    },
  };
}

/** A Ready pod `bench-0` in `member` with an echo and a sink server, behind the ClusterIP Service `bench`. */
async function serveBenchPod(fleet: NetworkFleet, member: NetworkMember): Promise<Paths> {
  const podIp = `127.${member.id}.1.10`;
  const echoPort = await fleet.backend.echo(podIp, "bench");
  const sinkPort = await fleet.backend.sink(podIp);
  await createServedPod(member, {
    name: "bench-0",
    app: "bench",
    ip: podIp,
    ports: [
      { name: "echo", containerPort: echoPort },
      { name: "sink", containerPort: sinkPort },
    ],
  });
  const clusterIp = await createClusterIpService(member, {
    name: "bench",
    ports: [
      { name: "echo", port: ECHO_PORT },
      { name: "sink", port: SINK_PORT },
    ],
  });
  await until(
    "the cluster IP reaches the pod",
    async () => (await exchange(clusterIp, ECHO_PORT)) === "bench:ping",
    20_000,
  );
  return { podIp, echoPort, sinkPort, clusterIp };
}

/** MiB/s of each upload, direct and proxied in turn (the first of each pair alternating). */
async function measureBulk(
  paths: Paths,
  options: ProxyOverheadOptions,
): Promise<{ direct: number[]; proxied: number[] }> {
  const bytes = options.bulkMiB * MiB;
  const direct: number[] = [];
  const proxied: number[] = [];
  const upload = async (host: string, port: number, into: number[]) => {
    const ms = await uploadMs(host, port, bytes, BULK_TIMEOUT_MS);
    into.push(round(options.bulkMiB / (ms / 1000), 1));
  };
  for (let run = 0; run < options.bulkRuns; run++) {
    if (run % 2 === 0) await upload(paths.podIp, paths.sinkPort, direct);
    await upload(paths.clusterIp, SINK_PORT, proxied);
    if (run % 2 === 1) await upload(paths.podIp, paths.sinkPort, direct);
  }
  return { direct, proxied };
}

/** Connect+ping times, one connection at a time, direct and proxied in turn; failures counted, not timed. */
async function measureConnections(
  paths: Paths,
  options: ProxyOverheadOptions,
): Promise<{ direct: number[]; proxied: number[]; failures: number }> {
  const direct: number[] = [];
  const proxied: number[] = [];
  let failures = 0;
  const time = async (host: string, port: number, into: number[] | undefined) => {
    try {
      const ms = await roundTripMs(host, port, CONNECT_TIMEOUT_MS);
      into?.push(ms);
    } catch {
      failures++;
    }
  };
  for (let i = 0; i < options.warmup + options.connections; i++) {
    const counted = i >= options.warmup;
    if (i % 2 === 0) await time(paths.podIp, paths.echoPort, counted ? direct : undefined);
    await time(paths.clusterIp, ECHO_PORT, counted ? proxied : undefined);
    if (i % 2 === 1) await time(paths.podIp, paths.echoPort, counted ? direct : undefined);
  }
  return { direct, proxied, failures };
}

type CpuMark = { cpuMs: number; at: number };

/** A member process's CPU time from /proc, less its idle rate (sampled for 2 s at the start). */
class CpuMeter {
  readonly idleMsPerSecond: number;
  #member: NetworkMember;

  private constructor(member: NetworkMember, idleMsPerSecond: number) {
    this.#member = member;
    this.idleMsPerSecond = idleMsPerSecond;
  }

  static async start(member: NetworkMember): Promise<CpuMeter> {
    const meter = new CpuMeter(member, 0);
    const from = await meter.mark();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
    const to = await meter.mark();
    return new CpuMeter(member, ((to.cpuMs - from.cpuMs) * 1000) / (to.at - from.at));
  }

  async mark(): Promise<CpuMark> {
    return { cpuMs: (await this.#member.sim.usage()).cpuMs ?? Number.NaN, at: performance.now() };
  }

  /** CPU ms used since `from` beyond the idle rate. */
  async since(from: CpuMark): Promise<number> {
    const now = await this.mark();
    return now.cpuMs - from.cpuMs - (this.idleMsPerSecond * (now.at - from.at)) / 1000;
  }
}
