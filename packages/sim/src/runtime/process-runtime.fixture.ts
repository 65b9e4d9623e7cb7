// Started by process-runtime.test.ts as a short-lived "member": starts one
// container as told by argv[2] (JSON), prints its pid, then waits to be killed.
import { type StartOptions, startContainer } from "./process-runtime.ts";

const options = JSON.parse(process.argv[2]) as StartOptions;
const container = await startContainer(options);
process.stdout.write(`${JSON.stringify({ pid: container.pid })}\n`);
setInterval(() => {}, 60_000);
