import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cgroupDir,
  cgroupOwner,
  type CgroupSupport,
  CPU_CHECK_MS,
  cpuCheck,
  limitScope,
  limitWrites,
  parseCgroupMounts,
  parseKeyedCounts,
  parseProcCgroup,
  parseUsage,
  resourcesFor,
  sessionCgroupName,
} from "../../src/sandbox/cgroup.ts";
import { DEFAULT_LIMITS, LIMIT_NAMES } from "../../src/sandbox/limits.ts";

const MiB = 1024 * 1024;

const V1: CgroupSupport = {
  mode: "v1",
  bases: {
    memory: "/sys/fs/cgroup/memory/host",
    pids: "/sys/fs/cgroup/pids",
    cpu: "/sys/fs/cgroup/cpuacct",
  },
  reasons: ["cgroup v2: the memory controller is not available"],
};
const NONE: CgroupSupport = {
  mode: "none",
  bases: {},
  reasons: ["cgroup v1 memory: cannot create a cgroup under /x (EACCES)"],
};

describe("cgroup limit files", () => {
  it("maps memory and nproc to v1's files, memory plus swap when swap is accounted", () => {
    assert.deepEqual(limitWrites("v1", DEFAULT_LIMITS, { swapFile: true }), [
      { resource: "memory", file: "memory.limit_in_bytes", value: String(512 * MiB) },
      { resource: "memory", file: "memory.memsw.limit_in_bytes", value: String(512 * MiB) },
      { resource: "pids", file: "pids.max", value: "50" },
    ]);
    assert.deepEqual(limitWrites("v1", { memory: 1000.5 }, { swapFile: false }), [
      { resource: "memory", file: "memory.limit_in_bytes", value: "1001" },
    ]);
  });

  it("maps memory and nproc to v2's files, with no swap at all", () => {
    assert.deepEqual(limitWrites("v2", { memory: 64 * MiB, nproc: 10 }, { swapFile: true }), [
      { resource: "memory", file: "memory.max", value: String(64 * MiB) },
      { resource: "memory", file: "memory.swap.max", value: "0" },
      { resource: "pids", file: "pids.max", value: "10" },
    ]);
    assert.deepEqual(limitWrites("v2", { memory: 1 }, { swapFile: false }), [
      { resource: "memory", file: "memory.max", value: "1" },
    ]);
  });

  it("writes nothing for cpu (a watched budget) or the per-process limits", () => {
    assert.deepEqual(
      limitWrites("v1", { cpu: 5, fsize: 1, nofile: 2, stack: 3 }, {
        swapFile: true,
      }),
      [],
    );
    assert.deepEqual(resourcesFor({ cpu: 5, fsize: 1, nofile: 2, stack: 3 }), ["cpu"]);
    assert.deepEqual(resourcesFor(DEFAULT_LIMITS), ["cpu", "memory", "pids"]);
    assert.deepEqual(resourcesFor({}), []);
  });
});

describe("limitScope()", () => {
  it("makes cpu, memory and nproc whole-sandbox under a cgroup, the rest per process", () => {
    assert.deepEqual(limitScope(V1, LIMIT_NAMES), {
      cgroup: "v1",
      sandbox: ["cpu", "memory", "nproc"],
      perProcess: ["fsize", "nofile", "stack"],
    });
  });

  it("keeps every limit per process, with the probe's reasons, without a cgroup", () => {
    assert.deepEqual(limitScope(NONE, ["cpu", "memory", "fsize"]), {
      cgroup: "none",
      sandbox: [],
      perProcess: ["cpu", "memory", "fsize"],
      reason: NONE.reasons[0],
    });
  });

  it("lists only the limits the backend enforces, and a missing hierarchy per process", () => {
    const noPids: CgroupSupport = { ...V1, bases: { memory: "/m", cpu: "/c" } };
    assert.deepEqual(limitScope(noPids, ["memory", "nproc", "fsize"]), {
      cgroup: "v1",
      sandbox: ["memory"],
      perProcess: ["nproc", "fsize"],
      reason: V1.reasons[0],
    });
    assert.deepEqual(limitScope(V1, []), { cgroup: "v1", sandbox: [], perProcess: [] });
  });
});

describe("reading /proc/self/cgroup and mountinfo", () => {
  const hybrid = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n";
  const mountinfo = [
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate",
    "41 22 0:38 / /proc rw - proc proc rw",
  ].join("\n");

  it("parses each hierarchy's controllers and the process's path", () => {
    assert.deepEqual(parseProcCgroup(hybrid), [
      { id: 9, controllers: [], path: "/" },
      { id: 8, controllers: ["pids"], path: "/" },
      { id: 4, controllers: ["memory"], path: "/process_api/abc" },
      { id: 2, controllers: ["cpu", "cpuacct"], path: "/" },
      { id: 0, controllers: [], path: "/" },
    ]);
  });

  it("finds v1 hierarchies with their controllers and the unified hierarchy", () => {
    const mounts = parseCgroupMounts(mountinfo);
    assert.deepEqual(mounts.map((m) => [m.version, m.mountPoint, m.controllers]), [
      [1, "/sys/fs/cgroup/cpu,cpuacct", ["cpu", "cpuacct"]],
      [1, "/sys/fs/cgroup/memory", ["memory"]],
      [1, "/sys/fs/cgroup/pids", ["pids"]],
      [1, "/sys/fs/cgroup/systemd", []],
      [2, "/sys/fs/cgroup/unified", []],
    ]);
    assert.equal(cgroupDir(mounts[1], "/process_api/abc"), "/sys/fs/cgroup/memory/process_api/abc");
    assert.equal(cgroupDir(mounts[2], "/"), "/sys/fs/cgroup/pids");
  });

  it("places a cgroup under a mount of a subtree, and refuses one outside it", () => {
    const [mount] = parseCgroupMounts(
      "50 22 0:40 /user.slice/app /sys/fs/cgroup rw - cgroup2 cgroup2 rw",
    );
    assert.equal(cgroupDir(mount, "/user.slice/app/x"), "/sys/fs/cgroup/x");
    assert.equal(cgroupDir(mount, "/user.slice/app"), "/sys/fs/cgroup");
    assert.equal(cgroupDir(mount, "/user.slice/application"), null);
    assert.equal(cgroupDir(mount, "/system.slice"), null);
  });

  it("unescapes spaces in mount points", () => {
    const [mount] = parseCgroupMounts("50 22 0:40 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw");
    assert.equal(mount.mountPoint, "/mnt/my cg");
  });
});

describe("reading a session cgroup's counters", () => {
  it("reads v1's files", () => {
    const files: Record<string, string> = {
      "memory.max_usage_in_bytes": "536870912\n",
      "memory.failcnt": "12\n",
      "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
      "cpuacct.usage": "1070000000\n",
      "pids.current": "3\n",
      "pids.events": "max 105\n",
    };
    assert.deepEqual(parseUsage("v1", (_, file) => files[file] ?? null), {
      memoryPeakBytes: 512 * MiB,
      memoryLimitHits: 12,
      oomKills: 1,
      cpuSeconds: 1.07,
      tasks: 3,
      taskLimitHits: 105,
    });
  });

  it("reads v2's files, and null for what the kernel does not have", () => {
    const files: Record<string, string> = {
      "memory.events": "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n",
      "cpu.stat": "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n",
      "pids.current": "4\n",
    };
    assert.deepEqual(parseUsage("v2", (_, file) => files[file] ?? null), {
      memoryPeakBytes: null,
      memoryLimitHits: 7,
      oomKills: 1,
      cpuSeconds: 2.5,
      tasks: 4,
      taskLimitHits: null,
    });
    assert.deepEqual(parseKeyedCounts("a 1\nb x\n c 3 \n"), { a: 1, c: 3 });
  });
});

describe("cpuCheck()", () => {
  it("says the budget is used up once the sandbox reaches it", () => {
    assert.deepEqual(cpuCheck(1, 1, 2), { exceeded: true });
    assert.deepEqual(cpuCheck(1.2, 1, 2), { exceeded: true });
  });

  it("looks again after half the time the rest would last with every CPU busy", () => {
    assert.deepEqual(cpuCheck(0.6, 1, 2), { exceeded: false, nextMs: 100 });
    assert.deepEqual(cpuCheck(0.9, 1, 1), { exceeded: false, nextMs: CPU_CHECK_MS.min });
    assert.deepEqual(cpuCheck(0, 60, 2), { exceeded: false, nextMs: CPU_CHECK_MS.max });
    assert.deepEqual(cpuCheck(0, 1, 0), { exceeded: false, nextMs: 500 });
  });
});

describe("session cgroup names", () => {
  it("carry the host's pid and pid namespace, so a later host can sweep those of a dead one", () => {
    const name = sessionCgroupName("1234-4026531836", "0a1b2c");
    assert.equal(name, "securer-1234-4026531836-0a1b2c");
    assert.deepEqual(cgroupOwner(name), { pid: 1234, namespace: "4026531836" });
    assert.equal(cgroupOwner("securer-1234-0a1b2c"), null, "a name without its namespace");
    assert.equal(cgroupOwner("securer-host"), null);
    assert.equal(cgroupOwner("securer-probe-1234-ab"), null);
    assert.equal(cgroupOwner("other"), null);
  });
});
