/**
 * The PowerShell launcher of the `windows-env` backend (`windows_env.ts`), generated as
 * text. It holds R's argv and the kept variable names as data (single-quoted PowerShell
 * strings, so nothing in them is parsed as code or as PowerShell parameters), compiles a
 * small C# helper with `Add-Type`, removes every environment variable not in the kept
 * list, creates a Job Object with the limits, starts R suspended with the launcher's stdio,
 * assigns R to the job, resumes it, waits, and exits with R's exit code. If any step fails
 * it prints why and exits 125 without ever letting R run outside the job.
 *
 * **Never compiled or run**: only the text is tested (on Linux).
 *
 * @module
 */
import type { Limits } from "../src/sandbox/limits.ts";

/** Writes `s` as a PowerShell single-quoted string. Refuses what could end it early. */
function psString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      const code = c.toString(16).toUpperCase().padStart(4, "0");
      throw new RangeError(
        `Cannot pass ${JSON.stringify(s)} to the Windows launcher: it contains the control ` +
          `character U+${code}`,
      );
    }
    if (c >= 0x2018 && c <= 0x201b) {
      throw new RangeError(
        `Cannot pass ${JSON.stringify(s)} to the Windows launcher: it contains a typographic ` +
          `quote (U+${c.toString(16).toUpperCase()}), which PowerShell reads as a quote`,
      );
    }
  }
  return `'${s.replaceAll("'", "''")}'`;
}

function whole(name: string, value: number | undefined, scale: number): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot apply limit '${name}': expected a positive number, got ${String(value)}`,
    );
  }
  const n = Math.ceil(value) * scale;
  if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot apply limit '${name}': too large`);
  return n;
}

/** The C# helper: a Job Object with the limits, and R started suspended inside it. */
const LAUNCHER_CSHARP = String.raw`using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

public static class SecurerJobLauncher
{
    [StructLayout(LayoutKind.Sequential)]
    struct BasicLimits
    {
        public long PerProcessUserTimeLimit;
        public long PerJobUserTimeLimit;
        public uint LimitFlags;
        public UIntPtr MinimumWorkingSetSize;
        public UIntPtr MaximumWorkingSetSize;
        public uint ActiveProcessLimit;
        public UIntPtr Affinity;
        public uint PriorityClass;
        public uint SchedulingClass;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct IoCounters
    {
        public ulong ReadOperations, WriteOperations, OtherOperations;
        public ulong ReadBytes, WriteBytes, OtherBytes;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct ExtendedLimits
    {
        public BasicLimits Basic;
        public IoCounters Io;
        public UIntPtr ProcessMemoryLimit;
        public UIntPtr JobMemoryLimit;
        public UIntPtr PeakProcessMemoryUsed;
        public UIntPtr PeakJobMemoryUsed;
    }

    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    struct StartupInfo
    {
        public int cb;
        public string lpReserved, lpDesktop, lpTitle;
        public int dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars;
        public int dwFillAttribute, dwFlags;
        public short wShowWindow, cbReserved2;
        public IntPtr lpReserved2, hStdInput, hStdOutput, hStdError;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct ProcessInformation
    {
        public IntPtr hProcess, hThread;
        public int dwProcessId, dwThreadId;
    }

    const uint LimitProcessTime = 0x2;
    const uint LimitActiveProcess = 0x8;
    const uint LimitProcessMemory = 0x100;
    const uint LimitDieOnUnhandledException = 0x400;
    const uint LimitKillOnJobClose = 0x2000;
    const int JobObjectExtendedLimitInformation = 9;
    const uint CreateSuspended = 0x4;
    const int StartfUseStdHandles = 0x100;

    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern IntPtr CreateJobObjectW(IntPtr attributes, string name);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern bool SetInformationJobObject(IntPtr job, int infoClass, ref ExtendedLimits info, uint size);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern bool AssignProcessToJobObject(IntPtr job, IntPtr process);
    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool CreateProcessW(string application, StringBuilder commandLine,
        IntPtr processAttributes, IntPtr threadAttributes, bool inheritHandles, uint flags,
        IntPtr environment, string directory, ref StartupInfo startup, out ProcessInformation info);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern uint ResumeThread(IntPtr thread);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern bool TerminateProcess(IntPtr process, uint exitCode);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern uint WaitForSingleObject(IntPtr handle, uint milliseconds);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern bool GetExitCodeProcess(IntPtr process, out uint exitCode);
    [DllImport("kernel32.dll", SetLastError = true)]
    static extern IntPtr GetStdHandle(int which);

    // One argument as the C runtime's command-line parser reads it back.
    static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.IndexOfAny(new char[] { ' ', '\t', '\n', '\v', '"' }) < 0) return arg;
        StringBuilder quoted = new StringBuilder("\"");
        int backslashes = 0;
        foreach (char c in arg)
        {
            if (c == '\\') { backslashes++; continue; }
            if (c == '"') quoted.Append('\\', backslashes * 2 + 1);
            else quoted.Append('\\', backslashes);
            backslashes = 0;
            quoted.Append(c);
        }
        quoted.Append('\\', backslashes * 2);
        return quoted.Append('"').ToString();
    }

    static int Fail(string what)
    {
        string why = new Win32Exception(Marshal.GetLastWin32Error()).Message;
        Console.Error.WriteLine("securer: cannot " + what + ": " + why);
        return 125;
    }

    public static int Run(string[] argv, long cpu100ns, ulong memoryBytes, uint processes)
    {
        IntPtr job = CreateJobObjectW(IntPtr.Zero, null);
        if (job == IntPtr.Zero) return Fail("create the job object");
        ExtendedLimits limits = new ExtendedLimits();
        uint flags = LimitKillOnJobClose | LimitDieOnUnhandledException;
        if (cpu100ns > 0) { flags |= LimitProcessTime; limits.Basic.PerProcessUserTimeLimit = cpu100ns; }
        if (memoryBytes > 0) { flags |= LimitProcessMemory; limits.ProcessMemoryLimit = new UIntPtr(memoryBytes); }
        if (processes > 0) { flags |= LimitActiveProcess; limits.Basic.ActiveProcessLimit = processes; }
        limits.Basic.LimitFlags = flags;
        uint size = (uint)Marshal.SizeOf(typeof(ExtendedLimits));
        if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, ref limits, size))
            return Fail("set the job object's limits");

        StringBuilder commandLine = new StringBuilder();
        foreach (string arg in argv)
        {
            if (commandLine.Length > 0) commandLine.Append(' ');
            commandLine.Append(Quote(arg));
        }
        StartupInfo startup = new StartupInfo();
        startup.cb = Marshal.SizeOf(typeof(StartupInfo));
        startup.dwFlags = StartfUseStdHandles;
        startup.hStdInput = GetStdHandle(-10);
        startup.hStdOutput = GetStdHandle(-11);
        startup.hStdError = GetStdHandle(-12);
        ProcessInformation child;
        if (!CreateProcessW(argv[0], commandLine, IntPtr.Zero, IntPtr.Zero, true, CreateSuspended,
                IntPtr.Zero, null, ref startup, out child))
            return Fail("start " + argv[0]);
        if (!AssignProcessToJobObject(job, child.hProcess))
        {
            int failed = Fail("put R in the job object");
            TerminateProcess(child.hProcess, 125);
            return failed;
        }
        if (ResumeThread(child.hThread) == 0xFFFFFFFF)
        {
            int failed = Fail("resume R");
            TerminateProcess(child.hProcess, 125);
            return failed;
        }
        // The job handle stays open until this process exits; then KILL_ON_JOB_CLOSE ends
        // whatever R left running.
        WaitForSingleObject(child.hProcess, 0xFFFFFFFF);
        uint exitCode;
        if (!GetExitCodeProcess(child.hProcess, out exitCode)) return Fail("read R's exit code");
        return unchecked((int)exitCode);
    }
}`;

/**
 * The PowerShell launcher that runs `argv` in a Job Object with `limits` (only `cpu`,
 * `memory` and `nproc`; others are ignored) and exactly the environment variables named
 * in `keep`.
 *
 * @throws {RangeError} when an argument or name contains a control character or a
 * typographic quote, or a limit is not a positive number.
 */
export function windowsLauncherScript(
  argv: readonly string[],
  limits: Limits,
  keep: readonly string[],
): string {
  if (argv.length === 0) throw new RangeError("Cannot launch R: the command is empty");
  const cpu = whole("cpu", limits.cpu, 10_000_000);
  const memory = whole("memory", limits.memory, 1);
  const nproc = whole("nproc", limits.nproc, 1);
  if (nproc > 0xffffffff) throw new RangeError("Cannot apply limit 'nproc': too large");
  // The byte-order mark makes Windows PowerShell 5.1 read the file as UTF-8, not ANSI.
  return "\uFEFF" + [
    "# securer: windows-env launcher for one R session (generated; do not edit).",
    "# Runs R in a Job Object with the limits below (killed when this launcher exits) and",
    "# with only the environment variables in $keep. It restricts neither the filesystem",
    "# nor the network.",
    "$ErrorActionPreference = 'Stop'",
    "try {",
    "  Add-Type -Language CSharp -TypeDefinition @'",
    LAUNCHER_CSHARP,
    "'@",
    `  $keep = @(${keep.map(psString).join(", ")})`,
    "  foreach ($name in @([Environment]::GetEnvironmentVariables().Keys)) {",
    "    if ($keep -notcontains $name) { [Environment]::SetEnvironmentVariable($name, $null) }",
    "  }",
    `  $r = @(${argv.map(psString).join(", ")})`,
    `  $code = [SecurerJobLauncher]::Run([string[]]$r, [long]${cpu}, [UInt64]${memory}, ` +
    `[UInt32]${nproc})`,
    "  exit $code",
    "} catch {",
    '  [Console]::Error.WriteLine("securer: the windows-env launcher failed: $_")',
    "  exit 125",
    "}",
    "",
  ].join("\n");
}
