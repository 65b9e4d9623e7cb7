import { writeFile } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type MemberOptions, SimMember } from "../member.ts";
import { heal, partition } from "./partition.ts";

// Not `import … from "node:http"`: its ESM form also loads node's bundled undici (fetch, WebSocket), used or not (nodejs/node#59686).
const { createServer } = process.getBuiltinModule("node:http");

/** The faults a member can be put into, each looking to a client exactly like the real thing. */
export type FaultState = {
  /** The member's API server refuses connections; workloads keep running. */
  apiDown: boolean;
  /** The whole member is down: API server, controllers and every container process. */
  memberDown: boolean;
  /** Nodes reported NotReady by their kubelet. */
  notReadyNodes: string[];
  /** Cut off from the hub and the other members; see {@link partition} for what is and is not cut. */
  partitioned: boolean;
};

/** Where a member's admin endpoint is, written to `<dataDir>/admin.json` for the CLI. */
export type AdminAddress = { url: string; token: string };

/**
 * Runs one simulated member and its admin endpoint (guarded by the member's
 * admin token), through which faults are injected and lifted:
 *
 * - `POST /faults/api` `{"down": true|false}` — the API server stops/starts accepting connections;
 * - `POST /faults/member` `{"down": true|false}` — the member stops entirely / starts again from its data dir;
 * - `POST /faults/partition` `{"partitioned": true|false}` — the member is cut off the network / healed;
 * - `POST /faults/nodes/{node}` `{"ready": false|true}` — a node goes NotReady / Ready;
 * - `POST /faults/pods/{namespace}/{pod}/kill` `{"container": "c"}` — a container's process is killed;
 * - `GET /faults` — the current state.
 */
export class MemberHost {
  #options: MemberOptions;
  #member: SimMember | undefined;
  #admin: Server | undefined;
  #token = "";
  #state: FaultState = { apiDown: false, memberDown: false, notReadyNodes: [], partitioned: false };

  constructor(options: MemberOptions) {
    this.#options = options;
  }

  /** Starts the member and its admin endpoint on 127.<id>.0.1:`adminPort` (0 picks a free port). */
  async start(adminPort = 0): Promise<AdminAddress> {
    this.#member = await SimMember.start(this.#options);
    this.#token = this.#member.token;
    this.#admin = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.#admin?.once("error", reject);
      this.#admin?.listen(adminPort, this.#member?.plan.apiServer, () => resolve());
    });
    const address = this.#admin.address() as AddressInfo;
    const admin = { url: `http://${address.address}:${address.port}`, token: this.#token };
    await writeFile(join(this.#options.dataDir, "admin.json"), `${JSON.stringify(admin)}\n`, { mode: 0o600 });
    return admin;
  }

  /** The running member (undefined while it is down). */
  get member(): SimMember | undefined {
    return this.#member;
  }

  get state(): FaultState {
    return structuredClone(this.#state);
  }

  async setApiDown(down: boolean): Promise<void> {
    const member = this.#requireUp();
    if (down) await member.server.pause();
    else if (!this.#state.partitioned) await member.server.resume();
    this.#state.apiDown = down;
  }

  /** Cuts the member off the hub and the other members, or heals it (keeping an `api-down` fault). */
  async setPartitioned(partitioned: boolean): Promise<void> {
    const member = this.#requireUp();
    if (partitioned) await partition(member);
    else await heal(member, { keepApiDown: this.#state.apiDown });
    this.#state.partitioned = partitioned;
  }

  async setMemberDown(down: boolean): Promise<void> {
    if (down && this.#member) {
      await this.#member.stop();
      this.#member = undefined;
    } else if (!down && !this.#member) {
      this.#member = await SimMember.start(this.#options);
      for (const node of this.#state.notReadyNodes) await this.#member.nodes.setReady(node, false);
      if (this.#state.partitioned) await partition(this.#member);
    }
    this.#state.memberDown = down;
    this.#state.apiDown = false;
  }

  async setNodeReady(node: string, ready: boolean): Promise<void> {
    const member = this.#requireUp();
    if (!member.nodes.names.includes(node))
      throw new HttpError(404, `node ${node} is not a node of ${member.name}`);
    await member.nodes.setReady(node, ready);
    const others = this.#state.notReadyNodes.filter((n) => n !== node);
    this.#state.notReadyNodes = ready ? others : [...others, node];
  }

  killContainer(namespace: string, pod: string, container: string | undefined): void {
    const member = this.#requireUp();
    if (!member.kubelet.killContainer(namespace, pod, container)) {
      throw new HttpError(404, `no running container ${container ?? "(first)"} in pod ${namespace}/${pod}`);
    }
  }

  async stop(): Promise<void> {
    const admin = this.#admin;
    if (admin) {
      admin.closeAllConnections();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
    }
    await this.#member?.stop();
    this.#member = undefined;
  }

  #requireUp(): SimMember {
    if (!this.#member) throw new HttpError(409, "the member is down");
    return this.#member;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.headers.authorization !== `Bearer ${this.#token}`)
        throw new HttpError(401, "a valid admin token is required");
      const path = new URL(req.url ?? "/", "http://admin").pathname.split("/").filter((p) => p !== "");
      if (req.method === "GET" && path.join("/") === "faults") return reply(res, 200, this.#state);
      if (req.method !== "POST" || path[0] !== "faults") throw new HttpError(404, "unknown admin path");
      const body = await readJson(req);
      if (path[1] === "api" && path.length === 2) await this.setApiDown(body.down === true);
      else if (path[1] === "member" && path.length === 2) await this.setMemberDown(body.down === true);
      else if (path[1] === "partition" && path.length === 2)
        await this.setPartitioned(body.partitioned === true);
      else if (path[1] === "nodes" && path.length === 3)
        await this.setNodeReady(path[2], body.ready !== false);
      else if (path[1] === "pods" && path.length === 5 && path[4] === "kill") {
        this.killContainer(path[2], path[3], typeof body.container === "string" ? body.container : undefined);
      } else throw new HttpError(404, "unknown admin path");
      reply(res, 200, this.#state);
    } catch (error) {
      const code = error instanceof HttpError ? error.code : 500;
      reply(res, code, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

class HttpError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    throw new HttpError(400, "the body must be a JSON object");
  }
}
