import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HUGE_PAGE_TUNABLE, hugePageRelaunchEnv, hugePageState } from "../../src/runner/huge-pages.js";

describe("model memory on huge pages", () => {
  it("re-launches on Linux with the tunable added, keeping other tunables", () => {
    expect(hugePageRelaunchEnv({ PATH: "/bin" }, "linux")?.GLIBC_TUNABLES).toBe(HUGE_PAGE_TUNABLE);
    const env = hugePageRelaunchEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }, "linux");
    expect(env?.GLIBC_TUNABLES).toBe(`glibc.malloc.arena_max=2:${HUGE_PAGE_TUNABLE}`);
  });

  it("does not re-launch when already set (also to 0), when switched off, or off Linux", () => {
    expect(hugePageRelaunchEnv({ GLIBC_TUNABLES: HUGE_PAGE_TUNABLE }, "linux")).toBeUndefined();
    expect(hugePageRelaunchEnv({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" }, "linux")).toBeUndefined();
    expect(hugePageRelaunchEnv({ EE_HUGE_PAGES: "0" }, "linux")).toBeUndefined();
    expect(hugePageRelaunchEnv({}, "darwin")).toBeUndefined();
  });

  it("reports whether malloc was started with the tunable", () => {
    expect(hugePageState({ GLIBC_TUNABLES: `a=1:${HUGE_PAGE_TUNABLE}` }).mallocHugePages).toBe(true);
    expect(hugePageState({}).mallocHugePages).toBe(false);
    expect(hugePageState({}).thpMode).toMatch(/^(always|madvise|never|unknown)$/);
  });
});

describe("the ee launcher", () => {
  it("keeps the exit status and output of the re-launched command", () => {
    const bin = fileURLToPath(new URL("../../bin/ee.js", import.meta.url));
    const env = { ...process.env };
    delete env.GLIBC_TUNABLES;
    const r = spawnSync(process.execPath, [bin, "no-such-command"], { env, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no-such-command/);
  });
});
