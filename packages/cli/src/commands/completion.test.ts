import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Command, Option } from "commander";
import { bashScript } from "../completion/bash.ts";
import { commandTree } from "../completion/command-tree.ts";
import { runAtoll } from "../testing/run.ts";

const hasZsh = spawnSync("zsh", ["-fc", "true"]).status === 0;

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "atoll-completion-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The script `atoll completion SHELL` prints, saved to a file. */
async function script(shell: "bash" | "zsh"): Promise<string> {
  const printed = await runAtoll(["completion", shell]);
  assert.equal(printed.code, 0, printed.stderr);
  const path = join(dir, `atoll.${shell}`);
  await writeFile(path, printed.stdout);
  return path;
}

const HARNESS = new URL("../completion/testing/", import.meta.url).pathname;

/**
 * What `shell` offers for the command line `words` (the last one being
 * completed) with the completion script at `scriptPath`: see
 * completion/testing/complete.bash and complete.zsh.
 */
function completions(shell: "bash" | "zsh", scriptPath: string, words: string[]): string[] {
  const options = shell === "bash" ? ["--norc", "--noprofile"] : ["-f"];
  const harness = join(HARNESS, `complete.${shell}`);
  const result = spawnSync(shell, [...options, harness, scriptPath, ...words], {
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split("\n").filter((line) => line !== "");
}
const bashCompletions = (scriptPath: string, words: string[]) => completions("bash", scriptPath, words);

describe("atoll completion bash", () => {
  let bash: string;
  before(async () => {
    bash = await script("bash");
  });

  test("completes commands: `atoll ge<TAB>` is get, `atoll <TAB>` lists every command", async () => {
    assert.deepEqual(bashCompletions(bash, ["atoll", "ge"]), ["get"]);
    const all = bashCompletions(bash, ["atoll", ""]);
    for (const command of ["up", "down", "get", "mesh", "sim", "completion", "help"])
      assert.ok(all.includes(command), command);
    assert.deepEqual(bashCompletions(bash, ["atoll", "mesh", "dis"]), ["disconnect"]);
    assert.deepEqual(bashCompletions(bash, ["atoll", "help", "me"]), ["members", "mesh"]);
  });

  test("completes options: `atoll get --<TAB>` lists get's long options, after other words too", async () => {
    assert.deepEqual(bashCompletions(bash, ["atoll", "get", "--"]), [
      "--namespace",
      "--all-namespaces",
      "--clusters",
      "--all-clusters",
      "--output",
      "--kubeconfig",
      "--help",
    ]);
    assert.deepEqual(bashCompletions(bash, ["atoll", "get", "pods", "-n", "shop", "--all-c"]), [
      "--all-clusters",
    ]);
    // An alias leads to its command's options; an option's value is not taken for a command.
    assert.deepEqual(bashCompletions(bash, ["atoll", "clusters", "--k"]), ["--kubeconfig"]);
    assert.deepEqual(bashCompletions(bash, ["atoll", "get", "--kubeconfig", "mesh", "--all-n"]), [
      "--all-namespaces",
    ]);
  });

  test("completes the values an option or argument names, also after `=`; other values are left to bash", async () => {
    assert.deepEqual(bashCompletions(bash, ["atoll", "up", "--storage", ""]), ["sqlite", "memory", "etcd"]);
    // bash splits `--storage=me` at the `=` (COMP_WORDBREAKS).
    assert.deepEqual(bashCompletions(bash, ["atoll", "up", "--storage", "=", "me"]), ["memory"]);
    assert.deepEqual(bashCompletions(bash, ["atoll", "up", "--storage", "="]), ["sqlite", "memory", "etcd"]);
    assert.deepEqual(bashCompletions(bash, ["atoll", "completion", ""]), ["bash", "zsh"]);
    // No choices: nothing from the script, so `complete -o default` offers file names.
    assert.deepEqual(bashCompletions(bash, ["atoll", "up", "--data-dir", ""]), []);
  });
});

describe("atoll completion zsh", { skip: hasZsh ? false : "zsh is not installed" }, () => {
  const zshCompletions = (scriptPath: string, words: string[]) => completions("zsh", scriptPath, words);

  test("is valid zsh and offers commands, options and values by command path", async () => {
    const zsh = await script("zsh");
    assert.equal(spawnSync("zsh", ["-n", zsh]).status, 0);
    assert.ok(zshCompletions(zsh, ["atoll", "ge"]).includes("get"));
    assert.deepEqual(zshCompletions(zsh, ["atoll", "mesh", ""]), ["connect", "disconnect", "status", "help"]);
    assert.ok(zshCompletions(zsh, ["atoll", "get", "--"]).includes("--all-clusters"));
    assert.deepEqual(zshCompletions(zsh, ["atoll", "up", "--storage", ""]), ["sqlite", "memory", "etcd"]);
    assert.deepEqual(zshCompletions(zsh, ["atoll", "up", "--storage=m"]), ["sqlite", "memory", "etcd"]);
    assert.deepEqual(zshCompletions(zsh, ["atoll", "up", "--data-dir", ""]), ["(files)"]);
  });
});

test("the script follows the program: a new command, alias or choice needs no other change", async () => {
  const program = new Command("demo").option("--verbose");
  program.addCommand(
    new Command("deploy")
      .alias("d")
      .option("--region <region>", "where")
      .addOption(new Option("--tier <tier>", "size").choices(["small", "large"])),
  );
  program.addCommand(new Command("internal"), { hidden: true });
  const path = join(dir, "demo.bash");
  await writeFile(path, bashScript(commandTree(program)));
  assert.deepEqual(completions("bash", path, ["demo", ""]), ["deploy", "help"]);
  assert.deepEqual(completions("bash", path, ["demo", "d", "--"]), ["--region", "--tier", "--help"]);
  assert.deepEqual(completions("bash", path, ["demo", "deploy", "--region", "eu", "--tier", "l"]), ["large"]);
  assert.deepEqual(completions("bash", path, ["demo", "--v"]), ["--verbose"]);
});

test("atoll completion refuses other shells, and its help shows how to install the script", async () => {
  const fish = await runAtoll(["completion", "fish"]);
  assert.notEqual(fish.code, 0);
  assert.match(fish.stderr, /'fish' is invalid for argument 'shell'\. Allowed choices are bash, zsh/);
  const help = await runAtoll(["completion", "--help"]);
  assert.match(help.stdout, /source <\(atoll completion bash\)/);
});
