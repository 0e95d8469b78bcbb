import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LaunchCommand, SandboxPolicy } from "../../src/sandbox/backend.ts";
import {
  makeWindowsEnvBackend,
  WINDOWS_ENV_CAPABILITIES,
  WINDOWS_ENV_WARNING,
  windowsEnv,
} from "../../backends/windows_env.ts";
import { windowsLauncherScript } from "../../backends/windows_launcher_script.ts";

// These tests only read generated text: the windows-env backend has never run on Windows,
// and its launcher's PowerShell and C# have never been compiled.

const session = "C:\\Users\\ana\\AppData\\Local\\Temp\\securer-1a2b3c";
const tmp = `${session}\\tmp`;
const rterm = "C:\\Program Files\\R\\R-4.4.1\\bin\\x64\\Rterm.exe";
const powershell = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";

const policy: SandboxPolicy = {
  rHome: "C:\\Program Files\\R\\R-4.4.1",
  readPaths: [],
  sessionDir: session,
  tmpDir: tmp,
  limits: { cpu: 60, memory: 512 * 1024 * 1024, fsize: 50 * 1024 * 1024, nproc: 50, nofile: 256 },
};

const command: LaunchCommand = {
  argv: [rterm, "--no-echo", "--vanilla", `--file=${session}\\runtime.R`, "--args", session],
  env: {
    PATH: "C:\\Windows\\System32",
    LANG: "en_US.UTF-8",
    Temp: "C:\\Users\\ana\\AppData\\Local\\Temp",
    HOMEDRIVE: "C:",
    HOMEPATH: "\\Users\\ana",
  },
};

/** A backend that believes it is on Windows, with its warnings collected. */
function onWindows(warnings: string[] = []) {
  return makeWindowsEnvBackend({
    platform: "win32",
    isExecutable: (p) => p === powershell,
    warn: (m) => warnings.push(m),
  });
}

describe("windows-env backend", () => {
  it("probe fails with a reason on this platform unless it is Windows", async () => {
    const result = await windowsEnv.probe();
    if (process.platform !== "win32") {
      assert.deepEqual(
        result.ok ? null : result.reason,
        `not Windows (this is ${process.platform})`,
      );
    } else assert.equal(typeof result.ok, "boolean");
    const linux = await makeWindowsEnvBackend({ platform: "linux" }).probe();
    assert.deepEqual(linux.ok ? null : linux.reason, "not Windows (this is linux)");
  });

  it("probe fails when Windows PowerShell is missing", async () => {
    const result = await makeWindowsEnvBackend({
      platform: "win32",
      isExecutable: () => false,
      warn: () => {},
    }).probe();
    assert.deepEqual(
      result.ok ? null : result.reason,
      `Windows PowerShell not found at ${powershell}`,
    );
  });

  it("probe claims only the environment and the three Job Object limits", async () => {
    const result = await onWindows().probe();
    assert.deepEqual(result, { ok: true, capabilities: WINDOWS_ENV_CAPABILITIES });
    assert.deepEqual(WINDOWS_ENV_CAPABILITIES, {
      filesystem: false,
      network: false,
      processes: false,
      env: true,
      limits: ["cpu", "memory", "nproc"],
    });
  });

  it("warns once per backend object that it restricts neither filesystem nor network", async () => {
    const first: string[] = [];
    const backend = onWindows(first);
    await backend.probe();
    backend.wrap(command, policy);
    await backend.probe();
    backend.wrap(command, policy);
    assert.deepEqual(first, [WINDOWS_ENV_WARNING]);
    assert.match(WINDOWS_ENV_WARNING, /restricts neither the filesystem nor the network/);
    const second: string[] = [];
    onWindows(second).wrap(command, policy);
    assert.deepEqual(second, [WINDOWS_ENV_WARNING]);
  });

  it("does not warn when its probe fails (it is not used)", async () => {
    const warnings: string[] = [];
    await makeWindowsEnvBackend({ platform: "linux", warn: (m) => warnings.push(m) }).probe();
    assert.deepEqual(warnings, []);
  });

  it("wrap runs the launcher script through PowerShell, with no R argument in argv", () => {
    const wrapped = onWindows().wrap(command, policy);
    const script = `${session}\\launch_r.ps1`;
    assert.deepEqual(wrapped.argv, [
      powershell,
      "-NoProfile",
      "-NonInteractive",
      "-ExecutionPolicy",
      "Bypass",
      "-File",
      script,
    ]);
    assert.equal(wrapped.files?.length, 1);
    assert.equal(wrapped.files?.[0].path, script);
    assert.equal(wrapped.files?.[0].mode, 0o600);
  });

  it("wrap points every profile variable at the private temp dir and keeps nothing else", () => {
    const wrapped = onWindows().wrap(command, policy);
    assert.deepEqual(wrapped.env, {
      // From the host's allowlist, unchanged.
      PATH: "C:\\Windows\\System32",
      LANG: "en_US.UTF-8",
      // Everything that names a home or temp directory: the session's private dir.
      HOME: tmp,
      USERPROFILE: tmp,
      R_USER: tmp,
      TMP: tmp,
      TEMP: tmp,
      TMPDIR: tmp,
      APPDATA: tmp,
      LOCALAPPDATA: tmp,
      // No user library.
      R_LIBS_USER: "",
      // Windows components need it; it is not a secret.
      SystemRoot: "C:\\Windows",
    });
  });

  it("wrap keeps a SystemRoot the host passed", () => {
    const wrapped = onWindows().wrap(
      { ...command, env: { SYSTEMROOT: "D:\\Win" } },
      policy,
    );
    assert.equal(wrapped.env.SYSTEMROOT, "D:\\Win");
    assert.equal(wrapped.env.SystemRoot, undefined);
  });
});

describe("windowsLauncherScript", () => {
  const wrapped = onWindows().wrap(command, policy);
  const content = wrapped.files![0].content;
  assert.equal(typeof content, "string");
  const script = content as string;
  const lines = script.split("\n");

  it("starts with a byte-order mark, so Windows PowerShell reads it as UTF-8", () => {
    assert.equal(script.charCodeAt(0), 0xfeff);
  });

  it("holds R's argv as single-quoted data and the limits as numbers", () => {
    assert.ok(lines.includes(
      `  $r = @('${rterm}', '--no-echo', '--vanilla', '--file=${session}\\runtime.R', ` +
        `'--args', '${session}')`,
    ));
    // cpu in 100 ns units, memory in bytes, nproc; fsize and nofile have no Job Object limit.
    assert.ok(lines.includes(
      "  $code = [SecurerJobLauncher]::Run([string[]]$r, [long]600000000, " +
        "[UInt64]536870912, [UInt32]50)",
    ));
    assert.ok(lines.includes("  exit $code"));
  });

  it("keeps exactly the variables the backend put in env", () => {
    const keep = lines.find((l) => l.startsWith("  $keep = @("));
    const names = [...(keep ?? "").matchAll(/'([^']*)'/g)].map((m) => m[1]);
    assert.deepEqual(names, Object.keys(wrapped.env));
  });

  it("creates a kill-on-close job with the limits and starts R suspended inside it", () => {
    for (
      const fragment of [
        "const uint LimitProcessTime = 0x2;",
        "const uint LimitActiveProcess = 0x8;",
        "const uint LimitProcessMemory = 0x100;",
        "const uint LimitDieOnUnhandledException = 0x400;",
        "const uint LimitKillOnJobClose = 0x2000;",
        "const int JobObjectExtendedLimitInformation = 9;",
        "const uint CreateSuspended = 0x4;",
      ]
    ) {
      assert.ok(script.includes(fragment), fragment);
    }
    const order = [
      "CreateJobObjectW(IntPtr.Zero",
      "SetInformationJobObject(job",
      "CreateProcessW(argv[0]",
      "AssignProcessToJobObject(job",
      "ResumeThread(child.hThread)",
      "WaitForSingleObject(child.hProcess",
    ]
      .map((call) => script.indexOf(call));
    assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])), String(order));
  });

  it("fails closed: every failure exits 125, and R is killed if it cannot join the job", () => {
    assert.match(script, /return 125;/);
    assert.match(
      script,
      /put R in the job object"\);\n\s+TerminateProcess\(child.hProcess, 125\);/,
    );
    assert.match(script, /\} catch \{\n.*\n {2}exit 125\n\}/);
  });

  it("cannot end its C# here-string early", () => {
    const start = lines.indexOf("  Add-Type -Language CSharp -TypeDefinition @'");
    const end = lines.indexOf("'@");
    assert.ok(start > 0 && end > start);
    assert.ok(!lines.slice(start + 1, end).some((l) => l.startsWith("'@")));
  });

  it("sets no limit flags' values when there are no limits", () => {
    const bare = windowsLauncherScript([rterm], {}, ["PATH"]);
    assert.match(bare, /Run\(\[string\[\]\]\$r, \[long\]0, \[UInt64\]0, \[UInt32\]0\)/);
  });

  it("doubles single quotes and refuses control characters and typographic quotes", () => {
    const script = windowsLauncherScript([rterm, "--file=C:\\Users\\O'Brien\\r.R"], {}, []);
    assert.match(script, /'--file=C:\\Users\\O''Brien\\r\.R'/);
    assert.throws(
      () => windowsLauncherScript([rterm, "a\nb"], {}, []),
      /Cannot pass "a\\nb" to the Windows launcher: it contains the control character U\+000A/,
    );
    assert.throws(
      () => windowsLauncherScript([rterm, "O\u2019Brien"], {}, []),
      /typographic quote \(U\+2019\)/,
    );
    assert.throws(() => windowsLauncherScript([], {}, []), /the command is empty/);
    assert.throws(
      () => windowsLauncherScript([rterm], { memory: Number.NaN }, []),
      /Cannot apply limit 'memory': expected a positive number, got NaN/,
    );
  });
});
