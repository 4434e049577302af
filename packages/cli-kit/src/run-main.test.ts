import { expect, it } from "vitest";
import { type CommandIo, DELEGATED, defineCommand, renderUsage } from "./command.js";
import { CliError } from "./errors.js";
import { formatError, runCommand } from "./run-main.js";

function captureIo(): CommandIo & { text: () => string } {
  let text = "";
  return {
    out: (chunk) => {
      text += chunk;
    },
    err: (chunk) => {
      text += chunk;
    },
    interactive: false,
    text: () => text,
  };
}

let loaded = 0;
const greet = defineCommand({
  name: "greet",
  description: "Says hello.",
  usage: "greet <name> [options]",
  maxPositionals: 1,
  options: {
    loud: { type: "boolean", short: "l", description: "shout" },
    times: { type: "string", value: "<n>", description: "repeat" },
  },
  async run({ values, positionals, io }) {
    io.out(`hello ${positionals[0]}${values.loud ? "!" : ""}\n`);
    return 0;
  },
});
const root = defineCommand({
  name: "demo",
  program: "demo",
  description: "A demo CLI.",
  usage: "<command> [options]",
  subCommands: {
    greet: {
      description: "say hello",
      load: async () => {
        loaded++;
        return greet;
      },
    },
    hand: {
      description: "hand over",
      load: async () =>
        defineCommand({ name: "hand", description: "", usage: "hand", passThrough: true, run: async () => DELEGATED }),
    },
  },
});

it("renders help from the command's data", () => {
  expect(renderUsage(greet, "demo")).toMatchInlineSnapshot(`
    "Usage: demo greet <name> [options]

    Says hello.

    Options:
      -l, --loud       shout
          --times <n>  repeat
      -h, --help       show this help
    "
  `);
});

it("loads a subcommand only when it is named", async () => {
  const io = captureIo();
  loaded = 0;
  expect(await runCommand(root, ["--help"], io)).toBe(0);
  expect(loaded).toBe(0);
  expect(io.text()).toContain("greet  say hello");
  expect(await runCommand(root, ["greet", "ann", "-l"], io)).toBe(0);
  expect(loaded).toBe(1);
  expect(io.text()).toContain("hello ann!");
  expect(await runCommand(root, ["hand", "--anything"], io)).toBe(DELEGATED);
});

it("turns bad flags and unknown commands into usage errors naming the help to run", async () => {
  const io = captureIo();
  await expect(runCommand(root, ["greet", "--nope"], io)).rejects.toMatchObject({
    code: "E_USAGE",
    exitCode: 2,
    hint: "run `demo greet --help`",
    // node's own text ends `as in '-- "--nope"` and tells the user to pass the flag as a positional argument
    message: "greet: unknown option --nope",
  });
  await expect(runCommand(root, ["greet", "--lod"], io)).rejects.toMatchObject({
    message: "greet: unknown option --lod (did you mean --loud?)",
  });
  await expect(runCommand(root, ["gret"], io)).rejects.toMatchObject({
    message: 'unknown command "gret"',
    hint: "run `demo --help`",
  });
});

it("refuses arguments beyond what a command takes instead of ignoring them", async () => {
  const io = captureIo();
  await expect(runCommand(root, ["greet", "ann", "extra"], io)).rejects.toMatchObject({
    code: "E_USAGE",
    message: 'greet: unexpected argument "extra"',
    hint: "usage: demo greet <name> [options] (see `demo greet --help`)",
  });
  expect(io.text()).toBe("");
  await expect(runCommand(root, ["greet", "ann"], io)).resolves.toBe(0);
});

it("prints known errors as message and fix, anything else as an internal error with its stack", () => {
  const cli = formatError(new CliError("E_EXISTS", "clusters/x already exists", "pick another name"));
  expect(cli).toMatchObject({ text: "error: clusters/x already exists\n  fix: pick another name\n", exitCode: 1 });
  const known = Object.assign(new Error("cluster.ts: talos.version: unknown"), { code: "E_CONFIG_INVALID" });
  expect(formatError(known)).toMatchObject({ text: "error: cluster.ts: talos.version: unknown\n", exitCode: 1 });
  const internal = formatError(new TypeError("boom"));
  expect(internal.exitCode).toBe(70);
  expect(internal.text).toMatch(/^internal error \(please report it\): TypeError: boom\n\s+at /);
  expect(internal.json).toEqual({ code: "E_INTERNAL", message: "boom" });
});
