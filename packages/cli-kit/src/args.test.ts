import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { describeArgsError, isVersionRequest, versionLine } from "./args.js";

const options = {
  cluster: { type: "string" },
  check: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
} as const;

/** The error node:util parseArgs raises for `args`. */
function parseError(args: string[]): unknown {
  try {
    parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${args.join(" ")} to fail`);
}

describe("describeArgsError", () => {
  it("names an unknown option and the help to read, never node's positional-argument advice", () => {
    const text = describeArgsError(parseError(["--foo"]), options, "kubeforge-talos");
    expect(text).toBe("unknown option --foo; see kubeforge-talos --help");
    expect(text).not.toMatch(/positional|as in|'--/);
  });

  it("suggests the option a typo was meant to be", () => {
    expect(describeArgsError(parseError(["--clustr", "x"]), options, "kubeforge-manifests")).toBe(
      "unknown option --clustr (did you mean --cluster?); see kubeforge-manifests --help",
    );
    expect(describeArgsError(parseError(["--chek"]), options)).toBe("unknown option --chek (did you mean --check?)");
    expect(describeArgsError(parseError(["--clu=x"]), options)).toBe("unknown option --clu (did you mean --cluster?)");
    expect(describeArgsError(parseError(["-x"]), options)).toBe("unknown option -x");
    expect(describeArgsError(parseError(["--verbose"]), options)).toBe("unknown option --verbose");
  });

  it("says which option needs a value and which takes none", () => {
    expect(describeArgsError(parseError(["--cluster"]), options, "x")).toBe(
      "option --cluster needs a value; see x --help",
    );
    expect(describeArgsError(parseError(["--check=yes"]), options)).toBe("option --check takes no value");
  });
});

describe("--version", () => {
  it("is --version, -v or -V given alone", () => {
    expect(isVersionRequest(["--version"])).toBe(true);
    expect(isVersionRequest(["-v"])).toBe(true);
    expect(isVersionRequest(["-V"])).toBe(true);
    expect(isVersionRequest(["build", "--version"])).toBe(false);
    expect(isVersionRequest([])).toBe(false);
  });

  it("prints the program and its package's version", () => {
    expect(versionLine("kubeforge-kit", new URL("../package.json", import.meta.url))).toMatch(
      /^kubeforge-kit \d+\.\d+\.\d+\n$/,
    );
  });
});
