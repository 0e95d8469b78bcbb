import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { elfInterpreter, followChain, ldSoConfDirs } from "../../backends/host_layout.ts";

const linux = process.platform === "linux" ? false : "reads a Linux host's layout";

describe("reading the host layout", { skip: linux }, () => {
  it("follows ld.so.conf includes", () => {
    const dir = fs.mkdtempSync(join(tmpdir(), "securer-ldconf-"));
    try {
      fs.mkdirSync(join(dir, "conf.d"));
      fs.writeFileSync(join(dir, "ld.so.conf"), "# comment\ninclude conf.d/*.conf\n/opt/lib\n");
      fs.writeFileSync(join(dir, "conf.d", "a.conf"), "/usr/lib/a # trailing\n");
      fs.writeFileSync(join(dir, "conf.d", "b.txt"), "/not/included\n");
      assert.deepEqual(ldSoConfDirs(join(dir, "ld.so.conf")), ["/usr/lib/a", "/opt/lib"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("finds the ELF interpreter of /bin/sh", () => {
    assert.match(elfInterpreter(fs.realpathSync("/bin/sh")) ?? "", /^\/lib.*\/ld-.*\.so/);
    assert.equal(elfInterpreter("/etc/hostname"), null);
  });
  it("follows a symlink chain hop by hop", () => {
    const dir = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), "securer-chain-")));
    try {
      fs.writeFileSync(join(dir, "real"), "x");
      fs.symlinkSync("real", join(dir, "mid"));
      fs.symlinkSync(join(dir, "mid"), join(dir, "top"));
      const chain = followChain(join(dir, "top"));
      assert.deepEqual(chain?.links, [[join(dir, "mid"), join(dir, "top")], [
        "real",
        join(dir, "mid"),
      ]]);
      assert.equal(chain?.file, join(dir, "real"));
      assert.equal(followChain(join(dir, "missing")), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
