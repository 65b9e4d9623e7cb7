import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { PlainProgress, type StepEvent, TtyProgress } from "./progress.ts";
import { readyBlock } from "./ready-block.ts";

const ESC = "\x1b";
const COLOUR_CODE = new RegExp(`${ESC}\\[\\d+m`);
const CURSOR_CODE = new RegExp(`${ESC}\\[\\d*[A-Z]`, "g");

function recorder(columns?: number) {
  const chunks: string[] = [];
  return { out: { write: (text: string) => chunks.push(text), columns }, text: () => chunks.join("") };
}

const event = (step: string, state: StepEvent["state"], detail = "", elapsedMs = 1200): StepEvent => ({
  step,
  state,
  detail,
  elapsedMs,
});

test("plain progress: one line per component once it is done, failed or stopped", () => {
  const { out, text } = recorder();
  const progress = new PlainProgress(out);
  progress.report(event("hub API server", "running", "starting"));
  progress.report(event("hub API server", "done", "https://127.0.0.1:6443"));
  progress.report(event("k8s-1", "failed", "port in use", 2500));
  progress.report(event("k8s-2", "stopped"));
  progress.close();
  assert.equal(
    text(),
    "hub API server: ready https://127.0.0.1:6443 (1.2s)\nk8s-1: FAILED port in use (2.5s)\nk8s-2: stopped (1.2s)\n",
  );
});

test("terminal progress: lines redrawn in place, colour only when asked", () => {
  const plain = recorder(60);
  const progress = new TtyProgress(plain.out, { colour: false });
  progress.report(event("hub API server", "running", "starting"));
  progress.report(event("k8s-1", "running", "starting"));
  progress.report(event("hub API server", "done", "https://127.0.0.1:6443"));
  progress.close();
  const frames = plain.text().split(`${ESC}[2F`);
  assert.equal(frames.length, 3, "the two lines are redrawn after each change");
  const last = frames.at(-1) ?? "";
  assert.match(last, /✓ hub API server {2}https:\/\/127\.0\.0\.1:6443 1\.2s\n/);
  assert.match(last, /⠋ k8s-1 +starting\n/);
  assert.doesNotMatch(plain.text(), COLOUR_CODE, "no colour codes");

  const coloured = recorder(60);
  const painted = new TtyProgress(coloured.out, { colour: true });
  painted.report(event("k8s-1", "done", "Ready"));
  painted.close();
  assert.ok(coloured.text().includes(`${ESC}[32m✓${ESC}[0m`), "a green check mark");
});

test("terminal progress clips lines to the terminal's width", () => {
  const narrow = recorder(30);
  const progress = new TtyProgress(narrow.out, { colour: false });
  progress.report(
    event("hub controllers", "done", "members from kb-system/atoll-members (contexts k8s-1,k8s-2)"),
  );
  progress.close();
  const lines = narrow.text().replace(CURSOR_CODE, "").split("\n");
  for (const line of lines) assert.ok(line.length <= 29, line);
});

test("the ready block says where the kubeconfig is and what to try", () => {
  const block = readyBlock(
    {
      kubeconfig: "/home/me/atoll/.atoll/kubeconfig",
      hubUrl: "https://127.0.0.1:6443",
      members: ["k8s-1", "k8s-2"],
      dataDir: "/home/me/atoll/.atoll",
      elapsedMs: 2345,
      background: true,
    },
    { cwd: "/home/me/atoll", colour: false },
  );
  assert.match(block, /^Fleet ready in 2\.3s: hub https:\/\/127\.0\.0\.1:6443, members k8s-1, k8s-2$/m);
  assert.match(block, /^ {2}export KUBECONFIG=\/home\/me\/atoll\/\.atoll\/kubeconfig$/m);
  assert.match(block, /^ {2}kubectl get memberclusters$/m);
  const example = /^ {2}kubectl apply -f (\S+\/examples\/etcd\.yaml) /m.exec(block)?.[1];
  assert.ok(example && existsSync(example), `the example instance, by a path that exists: ${example}`);
  assert.match(block, /^ {2}npx atoll get pods --all-clusters$/m);
  assert.match(block, /^Stop it with: npx atoll down$/m, "the default data dir needs no flag");
});
