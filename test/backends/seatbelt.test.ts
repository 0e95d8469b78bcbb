import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LaunchCommand, SandboxPolicy } from "../../src/sandbox/backend.ts";
import {
  makeSeatbeltBackend,
  SANDBOX_EXEC,
  seatbelt,
  SEATBELT_CAPABILITIES,
} from "../../backends/seatbelt.ts";
import { MACOS_EXEC_UTILITIES, MACOS_MACH_SERVICES } from "../../backends/macos_allowances.ts";
import {
  checkSExpression,
  parseSExpression,
  type SExpr,
} from "../../backends/parse_s_expression.ts";
import { seatbeltProfile } from "../../backends/seatbelt_profile.ts";
import { shLimitsPrefix, shLimitsScript } from "../../backends/sh_limits.ts";

// These tests only read generated text: the seatbelt backend has never run on macOS.

const session = "/var/folders/x1/abc123/T/securer-1a2b3c";

/** A Homebrew R on Apple silicon, a user library, and a session under $TMPDIR. */
const policy: SandboxPolicy = {
  rHome: "/opt/homebrew/Cellar/r/4.4.1/lib/R",
  readPaths: ["/opt/homebrew/Cellar/r/4.4.1/lib/R/share", "/Users/ana/Library/R/4.4/library"],
  sessionDir: session,
  tmpDir: `${session}/tmp`,
  limits: { cpu: 60, memory: 512 * 1024 * 1024, fsize: 50 * 1024 * 1024, nproc: 50, nofile: 256 },
};

/** The CRAN build: R_HOME is reached through the framework's symlinks. */
const cranPolicy: SandboxPolicy = {
  ...policy,
  rHome: "/Library/Frameworks/R.framework/Resources",
  readPaths: ["/Library/Frameworks/R.framework/Resources/share"],
};

const command: LaunchCommand = {
  argv: [
    "/opt/homebrew/Cellar/r/4.4.1/lib/R/bin/exec/R",
    "--no-echo",
    "--vanilla",
    `--file=${session}/runtime.R`,
    "--args",
    session,
  ],
  env: { HOME: `${session}/tmp`, TMPDIR: `${session}/tmp`, LANG: "en_US.UTF-8" },
};

type List = { kind: "list"; items: readonly SExpr[] };

/** The top-level `(allow ...)` forms: their operations and their filters. */
function allowRules(profile: string): { ops: string[]; filters: List[] }[] {
  return parseSExpression(profile)
    .filter((f): f is List => f.kind === "list")
    .filter((f) => f.items[0]?.kind === "symbol" && f.items[0].name === "allow")
    .map((f) => ({
      ops: f.items.slice(1).flatMap((x) => (x.kind === "symbol" ? [x.name] : [])),
      filters: f.items.slice(1).filter((x): x is List => x.kind === "list"),
    }));
}

/** A filter's head and its single string argument, e.g. `["subpath", "/usr/lib"]`. */
function filterParts(f: List): [string, string] {
  const [head, arg] = f.items;
  return [
    head.kind === "symbol" ? head.name : "?",
    arg?.kind === "string" ? arg.value : arg?.kind === "symbol" ? arg.name : "?",
  ];
}

describe("seatbeltProfile", () => {
  it("generates the expected profile for a Homebrew R", () => {
    const expected = [
      // Header and the default: everything not allowed below is denied.
      ";; securer: Seatbelt profile for one R session (generated; do not edit).",
      "(version 1)",
      ";; Everything not allowed below is denied.",
      "(deny default)",
      // No network at all: the channel is FIFOs, which are files.
      ";; No network at all. The channel to the host is FIFOs in the session directory:",
      ";; file operations, not sockets.",
      "(deny network*)",
      // fork is allowed (utils needs popen at start-up); exec only R's bin and five utilities.
      ";; Base R forks at start-up (utils runs `which uname` through popen) and for system().",
      "(allow process-fork)",
      ";; Programs R may run: its own binaries, and (one per line below)",
      ";; /bin/sh: system(), system2() and pipe() run commands through /bin/sh",
      ";; /bin/dash: macOS /bin/sh re-executes the shell /private/var/select/sh names; dash is the only one allowed",
      ";; /usr/bin/which: Sys.which(), which utils calls at start-up",
      ";; /usr/bin/uname: utils reads the OS name with `uname -a` at start-up",
      ";; /bin/rm: R removes its temporary directory with `rm -Rf` when it exits",
      "(allow process-exec",
      '  (subpath "/opt/homebrew/Cellar/r/4.4.1/lib/R/bin")',
      '  (literal "/bin/sh")',
      '  (literal "/bin/dash")',
      '  (literal "/usr/bin/which")',
      '  (literal "/usr/bin/uname")',
      '  (literal "/bin/rm"))',
      // Signals and process information: R itself only.
      ";; Signals to itself only.",
      "(allow signal",
      "  (target self))",
      ";; Information about itself only.",
      "(allow process-info*",
      "  (target self))",
      // The root directory's own entry, and stat() of the allowed paths' parents (Seatbelt
      // sees resolved paths, so the /private names), never a blanket file-read-metadata.
      ";; The root directory itself (dyld and getcwd read it), not what is below it.",
      "(allow file-read*",
      '  (literal "/"))',
      ";; stat() of the directories above the allowed paths (and the /etc, /tmp and /var",
      ";; symlinks), which path resolution needs. Metadata only: no listings, no contents.",
      "(allow file-read-metadata",
      '  (literal "/Library")',
      '  (literal "/Library/Apple")',
      '  (literal "/Library/Apple/usr")',
      '  (literal "/System")',
      '  (literal "/System/Cryptexes")',
      '  (literal "/System/Volumes")',
      '  (literal "/System/Volumes/Preboot")',
      '  (literal "/System/Volumes/Preboot/Cryptexes")',
      '  (literal "/Users")',
      '  (literal "/Users/ana")',
      '  (literal "/Users/ana/Library")',
      '  (literal "/Users/ana/Library/R")',
      '  (literal "/Users/ana/Library/R/4.4")',
      '  (literal "/bin")',
      '  (literal "/dev")',
      '  (literal "/etc")',
      '  (literal "/opt")',
      '  (literal "/opt/homebrew")',
      '  (literal "/private")',
      '  (literal "/private/etc")',
      '  (literal "/private/var")',
      '  (literal "/private/var/db")',
      '  (literal "/private/var/folders")',
      '  (literal "/private/var/folders/x1")',
      '  (literal "/private/var/folders/x1/abc123")',
      '  (literal "/private/var/folders/x1/abc123/T")',
      '  (literal "/private/var/select")',
      '  (literal "/tmp")',
      '  (literal "/usr")',
      '  (literal "/usr/bin")',
      '  (literal "/var"))',
      // R: the Homebrew Cellar holds R_HOME, and Homebrew's opt/ and lib/ symlink to the
      // libraries it links against; the user library passed in readPaths.
      ";; R's home, its library paths and the libraries of the package manager it came from.",
      "(allow file-read* file-map-executable",
      '  (subpath "/Users/ana/Library/R/4.4/library")',
      '  (subpath "/opt/homebrew/Cellar")',
      '  (subpath "/opt/homebrew/opt")',
      '  (subpath "/opt/homebrew/lib"))',
      // System libraries, frameworks and dyld's shared cache; the five utilities' files.
      ";; System libraries and frameworks (dyld's shared cache included), and the programs above.",
      "(allow file-read* file-map-executable",
      '  (subpath "/usr/lib")',
      '  (subpath "/System/Library")',
      '  (subpath "/System/Cryptexes/OS")',
      '  (subpath "/System/Volumes/Preboot/Cryptexes/OS")',
      '  (subpath "/Library/Apple/usr/lib")',
      '  (subpath "/private/var/db/dyld")',
      '  (subpath "/var/db/dyld")',
      '  (literal "/bin/sh")',
      '  (literal "/bin/dash")',
      '  (literal "/usr/bin/which")',
      '  (literal "/usr/bin/uname")',
      '  (literal "/bin/rm"))',
      // System data (locale, ICU, zoneinfo) and the /bin/sh selector, under both names.
      ";; System data: locale and ICU data, time zones, and the link /bin/sh follows.",
      "(allow file-read*",
      '  (subpath "/usr/share")',
      '  (subpath "/private/var/db/timezone")',
      '  (subpath "/var/db/timezone")',
      '  (literal "/private/etc/localtime")',
      '  (literal "/etc/localtime")',
      '  (literal "/private/var/select/sh")',
      '  (literal "/var/select/sh"))',
      // Devices: four readable, two writable.
      ";; Devices R reads.",
      "(allow file-read*",
      '  (literal "/dev/null")',
      '  (literal "/dev/zero")',
      '  (literal "/dev/random")',
      '  (literal "/dev/urandom"))',
      ";; Devices R writes.",
      "(allow file-write-data",
      '  (literal "/dev/null")',
      '  (literal "/dev/zero"))',
      // The only writable place: the session directory, under both of its names.
      ";; The session directory: the channel FIFOs, the start-up files, R's HOME and TMPDIR.",
      ";; The only place R can write. Code written here cannot be mapped or executed.",
      "(allow file-read* file-write*",
      '  (subpath "/var/folders/x1/abc123/T/securer-1a2b3c")',
      '  (subpath "/private/var/folders/x1/abc123/T/securer-1a2b3c"))',
      // Exactly two Mach services, by global name.
      ";; Mach services R may reach (one per line below); nothing else.",
      ";; com.apple.system.opendirectoryd.libinfo: user and group look-ups (getpwuid) behind Sys.info() and path.expand()",
      ";; com.apple.system.notification_center: notifyd: libc's time-zone code (tzset, localtime) watches for changes through it",
      "(allow mach-lookup",
      '  (global-name "com.apple.system.opendirectoryd.libinfo")',
      '  (global-name "com.apple.system.notification_center"))',
      // notifyd's shared page (read-only), used with notification_center.
      ";; notifyd's shared page, read by the time-zone code next to the service above.",
      "(allow ipc-posix-shm-read-data",
      '  (ipc-posix-name "apple.shm.notification_center"))',
      // Named sysctls only, and three prefixes.
      ";; System facts R, libc and the maths libraries read: OS name and version (uname,",
      ";; Sys.info), CPU count, cache and page sizes, CPU features.",
      "(allow sysctl-read",
      '  (sysctl-name "hw.activecpu")',
      '  (sysctl-name "hw.byteorder")',
      '  (sysctl-name "hw.cachelinesize")',
      '  (sysctl-name "hw.cachelinesize_compat")',
      '  (sysctl-name "hw.cpufamily")',
      '  (sysctl-name "hw.cpusubtype")',
      '  (sysctl-name "hw.cputype")',
      '  (sysctl-name "hw.l1dcachesize")',
      '  (sysctl-name "hw.l1icachesize")',
      '  (sysctl-name "hw.l2cachesize")',
      '  (sysctl-name "hw.l3cachesize")',
      '  (sysctl-name "hw.logicalcpu")',
      '  (sysctl-name "hw.logicalcpu_max")',
      '  (sysctl-name "hw.machine")',
      '  (sysctl-name "hw.memsize")',
      '  (sysctl-name "hw.model")',
      '  (sysctl-name "hw.ncpu")',
      '  (sysctl-name "hw.nperflevels")',
      '  (sysctl-name "hw.pagesize")',
      '  (sysctl-name "hw.pagesize_compat")',
      '  (sysctl-name "hw.physicalcpu")',
      '  (sysctl-name "hw.physicalcpu_max")',
      '  (sysctl-name "hw.tbfrequency")',
      '  (sysctl-name "hw.vectorunit")',
      '  (sysctl-name "kern.argmax")',
      '  (sysctl-name "kern.hostname")',
      '  (sysctl-name "kern.maxfilesperproc")',
      '  (sysctl-name "kern.osproductversion")',
      '  (sysctl-name "kern.osrelease")',
      '  (sysctl-name "kern.ostype")',
      '  (sysctl-name "kern.osvariant_status")',
      '  (sysctl-name "kern.osversion")',
      '  (sysctl-name "kern.usrstack64")',
      '  (sysctl-name "kern.version")',
      '  (sysctl-name "sysctl.proc_cputype")',
      '  (sysctl-name-prefix "hw.optional.")',
      '  (sysctl-name-prefix "hw.perflevel")',
      '  (sysctl-name-prefix "machdep.cpu."))',
      "",
    ].join("\n");
    assert.equal(seatbeltProfile(policy), expected);
  });

  it("is a well-formed S-expression", () => {
    checkSExpression(seatbeltProfile(policy));
    checkSExpression(seatbeltProfile(cranPolicy));
  });

  it("allows a CRAN R's whole R.framework, since R_HOME is reached through symlinks", () => {
    const rules = allowRules(seatbeltProfile(cranPolicy));
    const exec = rules.find((r) => r.ops.includes("process-exec"))!;
    assert.deepEqual(exec.filters.map(filterParts).slice(0, 2), [
      ["subpath", "/Library/Frameworks/R.framework/Versions"],
      ["subpath", "/Library/Frameworks/R.framework/Resources/bin"],
    ]);
    const code = rules.find((r) => r.ops.join(" ") === "file-read* file-map-executable")!;
    assert.deepEqual(code.filters.map(filterParts), [
      ["subpath", "/Library/Frameworks/R.framework"],
    ]);
  });

  it("writes only inside the session directory, and to /dev/null and /dev/zero", () => {
    const written = allowRules(seatbeltProfile(policy))
      .filter((r) => r.ops.some((op) => op.startsWith("file-write")))
      .flatMap((r) => r.filters.map(filterParts));
    assert.deepEqual(written.sort(), [
      ["literal", "/dev/null"],
      ["literal", "/dev/zero"],
      ["subpath", `/private${session}`],
      ["subpath", session],
    ]);
  });

  it("never allows the network, a blanket mach-lookup or launchservicesd", () => {
    const profile = seatbeltProfile(policy);
    assert.doesNotMatch(profile, /\(allow network/);
    assert.match(profile, /^\(deny network\*\)$/m);
    assert.doesNotMatch(profile, /launchservicesd/);
    const mach = allowRules(profile).filter((r) => r.ops.includes("mach-lookup"));
    assert.equal(mach.length, 1);
    assert.deepEqual(
      mach[0].filters.map(filterParts),
      MACOS_MACH_SERVICES.map((s) => ["global-name", s.name]),
    );
  });

  it("every allow rule but process-fork has filters", () => {
    const bare = allowRules(seatbeltProfile(policy)).filter((r) => r.filters.length === 0);
    assert.deepEqual(bare.map((r) => r.ops), [["process-fork"]]);
  });

  it("lets R execute only its own binaries and the listed utilities, never bash or zsh", () => {
    const profile = seatbeltProfile(policy);
    const exec = allowRules(profile).filter((r) => r.ops.includes("process-exec"));
    assert.equal(exec.length, 1);
    assert.deepEqual(exec[0].filters.map(filterParts), [
      ["subpath", `${policy.rHome}/bin`],
      ...MACOS_EXEC_UTILITIES.map((u) => ["literal", u.name]),
    ]);
    assert.doesNotMatch(profile, /bash|zsh/);
  });

  it("reads neither all of /tmp nor all metadata nor all sysctls", () => {
    const rules = allowRules(seatbeltProfile(policy));
    const filters = rules.flatMap((r) => r.filters.map(filterParts));
    for (const tmp of ["/tmp", "/private/tmp", "/var/folders", "/private/var/folders"]) {
      assert.ok(!filters.some(([h, p]) => h === "subpath" && p === tmp), tmp);
    }
    const metadata = rules.find((r) => r.ops.join(" ") === "file-read-metadata")!;
    assert.ok(metadata.filters.every((f) => filterParts(f)[0] === "literal"));
    const sysctl = rules.find((r) => r.ops.includes("sysctl-read"))!;
    assert.ok(sysctl.filters.length > 0);
  });

  it("escapes quotes and backslashes, so a path cannot add or close a rule", () => {
    const evil = '/opt/R/x") (allow default) (allow file-write* (subpath "/Users';
    const slashes = "/opt/R/back\\slash\\";
    const normal = allowRules(seatbeltProfile(policy));
    const profile = seatbeltProfile({ ...policy, readPaths: [evil, slashes] });
    checkSExpression(profile);
    const rules = allowRules(profile);
    assert.equal(rules.length, normal.length);
    assert.ok(!rules.some((r) => r.ops.includes("default")));
    const code = rules.find((r) => r.ops.join(" ") === "file-read* file-map-executable")!;
    const paths = code.filters.map((f) => filterParts(f)[1]);
    assert.ok(paths.includes(evil));
    assert.ok(paths.includes(slashes));
    assert.match(profile, /\(subpath "\/opt\/R\/back\\\\slash\\\\"\)/);
    assert.match(profile, /\(subpath "\/opt\/R\/x\\"\) \(allow default\)/);
  });

  it("rejects control characters, relative paths, dot segments and whole shared directories", () => {
    const cases: [Partial<SandboxPolicy>, RegExp][] = [
      [{ readPaths: ["/opt/R\nlib"] }, /read path "\/opt\/R\\nlib".*control character U\+000A/],
      [{ readPaths: ["/opt/R\u0000lib"] }, /control character U\+0000/],
      [{ rHome: "opt/R" }, /R home "opt\/R".*not an absolute path/],
      [{ readPaths: ["/opt/R/../../Users/ana"] }, /"\." or "\.\." segments/],
      [{ readPaths: ["/"] }, /read path "\/".*too broad/],
      [{ readPaths: ["/Users/ana"] }, /too broad/],
      [{ sessionDir: "/tmp", tmpDir: "/tmp/x" }, /session directory "\/tmp".*too broad/],
      [{ sessionDir: "/private/var/folders/" }, /too broad/],
      [{ readPaths: ["/usr/local"] }, /too broad/],
      [
        { sessionDir: "/opt/R/lib/s", tmpDir: "/opt/R/lib/s/tmp", readPaths: ["/opt/R/lib"] },
        /session directory "\/opt\/R\/lib\/s".*inside "\/opt\/R\/lib", where code may be loaded/,
      ],
    ];
    for (const [change, message] of cases) {
      assert.throws(() => seatbeltProfile({ ...policy, ...change }), message);
    }
  });

  it("rejects a temporary directory outside the session directory", () => {
    assert.throws(
      () => seatbeltProfile({ ...policy, tmpDir: "/var/folders/x1/abc123/T/elsewhere" }),
      /temporary directory ".*elsewhere".*not inside the session directory/,
    );
  });
});

describe("checkSExpression", () => {
  it("accepts comments, strings with escapes and regex literals", () => {
    checkSExpression('; a comment with ( and "\n(allow x (literal "a\\"b") (regex #"^/dev/tty"))');
    assert.deepEqual(parseSExpression('(a "b\\"c\\\\d")'), [{
      kind: "list",
      items: [{ kind: "symbol", name: "a" }, { kind: "string", value: 'b"c\\d' }],
    }]);
  });

  it("throws on unbalanced parentheses and unterminated strings", () => {
    assert.throws(() => checkSExpression("(allow x"), /unclosed "\(" opened at line 1, column 1/);
    assert.throws(() => checkSExpression("(a))"), /unbalanced "\)" at line 1, column 4/);
    assert.throws(() => checkSExpression('(a\n "b)'), /unterminated string starting at line 2/);
    assert.throws(() => checkSExpression('(a "b\\")'), /unterminated string/);
    assert.throws(() => checkSExpression('(a "b\\'), /unterminated string/);
  });
});

describe("seatbelt backend", () => {
  const executable = (present: string[]) => (p: string) => present.includes(p);

  it("probe fails with a reason on this platform unless it is macOS", async () => {
    const result = await seatbelt.probe();
    if (process.platform !== "darwin") {
      assert.deepEqual(result.ok ? null : result.reason, `not macOS (this is ${process.platform})`);
    } else assert.equal(typeof result.ok, "boolean");
  });

  it("probe names the missing piece: the platform, sandbox-exec or dash", async () => {
    const linux = await makeSeatbeltBackend({ platform: "linux" }).probe();
    assert.deepEqual(linux.ok ? null : linux.reason, "not macOS (this is linux)");
    const noExec = await makeSeatbeltBackend({
      platform: "darwin",
      isExecutable: executable(["/bin/dash"]),
    }).probe();
    assert.deepEqual(
      noExec.ok ? null : noExec.reason,
      "sandbox-exec not found at /usr/bin/sandbox-exec",
    );
    const noDash = await makeSeatbeltBackend({
      platform: "darwin",
      isExecutable: executable([SANDBOX_EXEC]),
    }).probe();
    assert.match(noDash.ok ? "" : noDash.reason, /^dash not found at \/bin\/dash/);
  });

  it("probe succeeds on macOS with honest capabilities: no memory or nproc limit", async () => {
    const result = await makeSeatbeltBackend({
      platform: "darwin",
      isExecutable: executable([SANDBOX_EXEC, "/bin/dash"]),
    }).probe();
    assert.deepEqual(result, { ok: true, capabilities: SEATBELT_CAPABILITIES });
    assert.deepEqual(SEATBELT_CAPABILITIES, {
      filesystem: true,
      network: true,
      processes: true,
      env: true,
      limits: ["cpu", "fsize", "nofile", "stack"],
    });
  });

  it("wrap runs dash's limits, then sandbox-exec with the profile file, then R", () => {
    const wrapped = seatbelt.wrap(command, policy);
    const profilePath = `${session}/seatbelt.sb`;
    assert.deepEqual(wrapped.argv, [
      "/bin/dash",
      "-c",
      [
        "trap '' XFSZ",
        "ulimit -S -t 60 && ulimit -H -t 61 || { echo 'securer: cannot apply the cpu limit (ulimit -t 60)' >&2; exit 125; }",
        "ulimit -S -f 102400 && ulimit -H -f 102400 || { echo 'securer: cannot apply the fsize limit (ulimit -f 102400)' >&2; exit 125; }",
        "ulimit -S -n 256 && ulimit -H -n 256 || { echo 'securer: cannot apply the nofile limit (ulimit -n 256)' >&2; exit 125; }",
        'exec "$@"',
      ].join("\n"),
      "securer-limits",
      "/usr/bin/sandbox-exec",
      "-f",
      profilePath,
      ...command.argv,
    ]);
    // memory: no OS limit on macOS, so R's own vector-heap cap; nproc: not applied.
    assert.deepEqual(wrapped.env, { ...command.env, R_MAX_VSIZE: "536870912" });
    assert.deepEqual(wrapped.files, [
      { path: profilePath, content: seatbeltProfile(policy), mode: 0o600 },
    ]);
  });

  it("wrap starts at sandbox-exec and leaves the environment alone without limits", () => {
    const wrapped = seatbelt.wrap(command, { ...policy, limits: {} });
    assert.deepEqual(wrapped.argv.slice(0, 3), [SANDBOX_EXEC, "-f", `${session}/seatbelt.sb`]);
    assert.equal(wrapped.env, command.env);
  });

  it("wrap refuses an R executable outside R's home and a bad memory limit", () => {
    assert.throws(
      () => seatbelt.wrap({ ...command, argv: ["/usr/local/bin/R"] }, policy),
      /Cannot run "\/usr\/local\/bin\/R" under Seatbelt/,
    );
    assert.throws(
      () => seatbelt.wrap(command, { ...policy, limits: { memory: -1 } }),
      /Cannot apply limit 'memory': expected a positive number, got -1/,
    );
  });
});

describe("shLimitsScript", () => {
  it("sets soft then hard limits, each failing closed with exit 125", () => {
    const script = shLimitsScript({ cpu: 1.5, fsize: 1000, nofile: 64, stack: 8 * 1024 * 1024 });
    const lines = script.split("\n");
    assert.equal(lines[0], "trap '' XFSZ");
    assert.equal(lines.at(-1), 'exec "$@"');
    const ulimits = lines.slice(1, -1);
    assert.deepEqual(ulimits.map((l) => l.split(" || ")[0]), [
      "ulimit -S -t 2 && ulimit -H -t 3",
      "ulimit -S -f 2 && ulimit -H -f 2",
      "ulimit -S -n 64 && ulimit -H -n 64",
      "ulimit -S -s 8192 && ulimit -H -s 8192",
    ]);
    for (const line of ulimits) assert.match(line, / \|\| \{ echo '[^']*' >&2; exit 125; \}$/);
  });

  it("ignores SIGXFSZ only when there is a file-size limit", () => {
    assert.doesNotMatch(shLimitsScript({ cpu: 1 }), /XFSZ/);
  });

  it("applies only the named limits and is empty without any", () => {
    assert.deepEqual(shLimitsPrefix({ memory: 1024, nproc: 5 }), []);
    assert.deepEqual(shLimitsPrefix({}), []);
    const prefix = shLimitsPrefix({ cpu: 5, nofile: 10 }, { names: ["nofile"], shell: "/x/sh" });
    assert.deepEqual(prefix, [
      "/x/sh",
      "-c",
      "ulimit -S -n 10 && ulimit -H -n 10 || { echo 'securer: cannot apply the nofile limit (ulimit -n 10)' >&2; exit 125; }\nexec \"$@\"",
      "securer-limits",
    ]);
  });

  it("rejects values that are not positive finite numbers", () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      assert.throws(() => shLimitsScript({ cpu: bad }), /Cannot apply limit 'cpu'/);
    }
    assert.throws(() => shLimitsScript({ fsize: 1e300 }), /too large/);
  });
});
