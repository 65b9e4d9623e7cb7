import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseMountInfo, resolveInContainer, sandboxScript } from "./mount-plan.ts";
import type { SandboxTools } from "./sandbox.ts";

test("container paths resolve symlinks inside the container's view, never on the host", async () => {
  const root = await mkdtemp(join(tmpdir(), "atoll-resolve-"));
  try {
    await mkdir(join(root, "run"));
    await mkdir(join(root, "var"));
    await symlink("/run", join(root, "var", "run"));
    await symlink("../data", join(root, "var", "data"));
    const binds = [{ target: "/", source: root }];
    assert.deepEqual(await resolveInContainer("/var/run/etcd", binds), { path: "/run/etcd", exists: false });
    assert.deepEqual(await resolveInContainer("/var/data/x", binds), { path: "/data/x", exists: false });
    assert.deepEqual(await resolveInContainer("/var/./run/", binds), { path: "/run", exists: true });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("mountinfo mount points are unescaped", () => {
  const text = [
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "22 27 0:21 / /proc rw,relatime - proc proc rw",
    "40 27 0:40 / /mnt/with\\040space rw - tmpfs tmpfs rw",
  ].join("\n");
  assert.deepEqual(parseMountInfo(text), ["/", "/proc", "/mnt/with space"]);
});

const tools: SandboxTools = {
  setpriv: "/usr/bin/setpriv",
  unshare: "/usr/bin/unshare",
  mount: "MOUNT",
  mkdir: "MKDIR",
  touch: "TOUCH",
  hostname: "HOSTNAME",
  sh: "/bin/sh",
};

test("a missing mountpoint on a separate host mount overlays that mount instead of creating it on the host", async () => {
  const source = await mkdtemp(join(tmpdir(), "atoll-plan-"));
  try {
    const { script, workingDir } = await sandboxScript({
      tools,
      stageDir: "/stage",
      hostname: "web-0",
      workingDir: "/var/run/atoll-plan-wd",
      hostMounts: ["/", "/proc", "/dev", "/dev/pts", "/run", "/run/lock"],
      mounts: [
        { mountPath: "/var/run/atoll-plan-missing", source, readOnly: true },
        { mountPath: "/etc/passwd", source: "/etc/passwd", readOnly: false },
      ],
    });
    const lines = script.split("\n");
    const at = (fragment: string) => lines.findIndex((line) => line.includes(fragment));
    assert.ok(at("lowerdir=/,") > 0, "the root is an overlay");
    assert.ok(at("lowerdir=/run,") > 0, "so is /run, which must gain a directory");
    assert.ok(at("MOUNT -t proc atoll-proc '/stage/root/proc'") > 0, "a fresh /proc");
    assert.ok(at("MOUNT --rbind '/dev' '/stage/root/dev'") > 0, "other mounts are mirrored");
    assert.equal(at("'/dev/pts'"), -1, "nested mounts come with their parent's rbind");
    assert.ok(
      at("MOUNT --rbind '/run/lock' '/stage/root/run/lock'") > at("lowerdir=/run,"),
      "re-mirrored over the overlay",
    );
    assert.ok(
      at("MKDIR -p '/stage/root/run/atoll-plan-missing'") > 0,
      "created through the symlink, inside the root",
    );
    assert.equal(at("/stage/root/var/run"), -1);
    assert.ok(at(`MOUNT -o remount,bind,ro '/stage/root/run/atoll-plan-missing'`) > 0);
    assert.ok(
      at("MOUNT --rbind '/etc/passwd' '/stage/root/etc/passwd'") > 0,
      "an existing file is mounted over",
    );
    assert.equal(at("TOUCH '/stage/root/etc/passwd'"), -1);
    assert.ok(at("HOSTNAME 'web-0'") > 0);
    assert.equal(workingDir, "/run/atoll-plan-wd");
    assert.match(lines.at(-3) ?? "", /^\) &$/);
  } finally {
    await rm(source, { recursive: true, force: true });
  }
});
