/**
 * What the Seatbelt profile (`seatbelt_profile.ts`) lets R reach on macOS beyond its own
 * files, each with the reason R needs it: the programs it may run, the Mach services it
 * may look up and the sysctls it may read. The lists come from Apple's and other
 * projects' published profiles and from what base R does on Linux, and need checking
 * against `sandbox-exec` on a Mac.
 *
 * @module
 */

/** An allowed program or service, with the reason it is allowed. */
export interface Allowance {
  /** The path, service name or sysctl name. */
  readonly name: string;
  /** Why R needs it. */
  readonly why: string;
}

/** Programs other than R's own that R may execute, and why. Bash and zsh are never here. */
export const MACOS_EXEC_UTILITIES: readonly Allowance[] = Object.freeze([
  { name: "/bin/sh", why: "system(), system2() and pipe() run commands through /bin/sh" },
  {
    name: "/bin/dash",
    why:
      "macOS /bin/sh re-executes the shell /private/var/select/sh names; dash is the only one allowed",
  },
  { name: "/usr/bin/which", why: "Sys.which(), which utils calls at start-up" },
  { name: "/usr/bin/uname", why: "utils reads the OS name with `uname -a` at start-up" },
  { name: "/bin/rm", why: "R removes its temporary directory with `rm -Rf` when it exits" },
]);

/** The Mach services R may look up (global names), and why. Nothing else is reachable. */
export const MACOS_MACH_SERVICES: readonly Allowance[] = Object.freeze([
  {
    name: "com.apple.system.opendirectoryd.libinfo",
    why: "user and group look-ups (getpwuid) behind Sys.info() and path.expand()",
  },
  {
    name: "com.apple.system.notification_center",
    why: "notifyd: libc's time-zone code (tzset, localtime) watches for changes through it",
  },
]);

/** The sysctls R may read: exact names, then prefixes (ending in `.` or a stem). */
export const MACOS_SYSCTLS: {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
} = Object.freeze({
  names: Object.freeze([
    "hw.activecpu",
    "hw.byteorder",
    "hw.cachelinesize",
    "hw.cachelinesize_compat",
    "hw.cpufamily",
    "hw.cpusubtype",
    "hw.cputype",
    "hw.l1dcachesize",
    "hw.l1icachesize",
    "hw.l2cachesize",
    "hw.l3cachesize",
    "hw.logicalcpu",
    "hw.logicalcpu_max",
    "hw.machine",
    "hw.memsize",
    "hw.model",
    "hw.ncpu",
    "hw.nperflevels",
    "hw.pagesize",
    "hw.pagesize_compat",
    "hw.physicalcpu",
    "hw.physicalcpu_max",
    "hw.tbfrequency",
    "hw.vectorunit",
    "kern.argmax",
    "kern.hostname",
    "kern.maxfilesperproc",
    "kern.osproductversion",
    "kern.osrelease",
    "kern.ostype",
    "kern.osvariant_status",
    "kern.osversion",
    "kern.usrstack64",
    "kern.version",
    "sysctl.proc_cputype",
  ]),
  prefixes: Object.freeze(["hw.optional.", "hw.perflevel", "machdep.cpu."]),
});
