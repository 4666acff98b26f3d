import assert from "node:assert/strict";
import { choiceOption, integerOption, OPTIONS, parseArgs } from "../../src/cli/args.ts";
import { UsageError } from "../../src/base/errors.ts";

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message;
  }
  assert.fail("no error was thrown");
}

Deno.test("value options take the next word, negative numbers included", () => {
  const { values, positionals } = parseArgs(["weak-lth", "--seed", "-1", "--trials=-3"]);
  assert.deepEqual(positionals, ["weak-lth"]);
  assert.equal(values.seed, "-1");
  assert.equal(values.trials, "-3");
  // The number then reaches the option's own range check (the config's), not "ambiguous".
  assert.equal(integerOption("seed", values.seed), -1);
});

Deno.test("defaults: literal defaults are parsed values, the rest stay unset", () => {
  const { values } = parseArgs([]);
  assert.equal(values.profile, "quick");
  assert.equal(values.backend, "auto");
  assert.equal(values.out, "results");
  assert.equal(values.trials, undefined);
  assert.equal(values.fresh, false);
  assert.equal(values.help, false);
  assert.equal(parseArgs(["-h"]).values.help, true);
});

Deno.test("unknown options are quoted the same way, long or short, with the known list", () => {
  for (const word of ["--foo", "-x", "--foo=1"]) {
    const message = usageMessage(() => parseArgs(["weak-lth", word]));
    const shown = word.split("=")[0];
    assert.ok(message.startsWith(`unknown option "${shown}"; known options: --profile`), message);
    for (const option of OPTIONS) assert.ok(message.includes(`--${option.name}`), option.name);
  }
});

Deno.test("a missing value, a value on a flag and a malformed number each say what to write", () => {
  assert.equal(
    usageMessage(() => parseArgs(["--seed"])),
    'option "--seed" needs a value (S); write --seed S',
  );
  assert.equal(
    usageMessage(() => parseArgs(["--out", "--fresh"])),
    'option "--out" needs a value (DIR); write --out DIR',
  );
  assert.equal(
    usageMessage(() => parseArgs(["--fresh=3"])),
    'option "--fresh" takes no value, got "--fresh=3"; write --fresh alone',
  );
  assert.equal(
    usageMessage(() => integerOption("trials", "abc")),
    'option "--trials" expects an integer (in 1..100), got "abc"',
  );
  assert.equal(
    usageMessage(() => choiceOption("profile", "big", ["smoke", "quick", "paper"])),
    'option "--profile" expects one of smoke, quick, paper, got "big"',
  );
});

Deno.test("-- ends the options; a lone - and -1 are positionals", () => {
  assert.deepEqual(parseArgs(["-", "--", "--fresh"]).positionals, ["-", "--fresh"]);
  assert.deepEqual(parseArgs(["-1"]).positionals, ["-1"]);
});
