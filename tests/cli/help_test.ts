import assert from "node:assert/strict";
import { OPTIONS } from "../../src/cli/args.ts";
import { experimentsText, helpText } from "../../src/cli/help.ts";
import { RUN_TIMES } from "../../src/cli/run_times.ts";
import { listExperiments } from "../../src/harness/experiments.ts";

Deno.test("--help lists every option with its meaning and default", () => {
  const help = helpText();
  for (const option of OPTIONS) {
    const head = `--${option.name}${option.value ? ` ${option.value}` : ""}`;
    const line = help.split("\n").find((l) => l.includes(head));
    assert.ok(line, `no line for ${head}`);
    // The meaning may wrap onto following lines; its first words are on the option's line.
    assert.ok(line.includes(option.meaning.split(" ").slice(0, 2).join(" ")), line);
    if (option.default) {
      const flat = help.replace(/\n\s+/g, " ");
      assert.ok(flat.includes(`default: ${option.default}`), `no default for ${head}`);
    }
  }
  assert.ok(help.split("\n").every((line) => line.length <= 100), "a help line is over 100 wide");
});

Deno.test("--help lists the profiles with CPU and GPU run times, where results go and exit codes", () => {
  const help = helpText();
  for (const profile of ["smoke", "quick", "paper"]) {
    assert.match(help, new RegExp(`^  ${profile} .*(s|min|h|day)`, "m"), profile);
  }
  assert.match(help, /2-core CPU +one GPU/);
  assert.match(help, /<out>\/<experiment>\/<profile>-<config hash>\//);
  assert.match(help, /report\.md/);
  assert.match(help, /resumes/);
  assert.match(help, /exit codes: 0 every claim PASS/);
});

Deno.test("reproduce without an experiment lists each experiment with its profiles and times", () => {
  const experiments = listExperiments();
  const text = experimentsText(experiments);
  for (const experiment of experiments) {
    // "id: claim", or "id (hypothesis h): claim" when the id is not the hypothesis.
    const at = text.search(new RegExp(`^${experiment.id}( \\(hypothesis [a-z-]+\\))?: `, "m"));
    assert.ok(at >= 0, experiment.id);
    const block = text.slice(at).split("\n\n")[0];
    for (const claim of experiment.claims) assert.ok(block.includes(claim.id), claim.id);
    for (const profile of experiment.profiles) {
      const times = RUN_TIMES[experiment.id][profile.name];
      assert.ok(
        block.includes(`--profile ${profile.name}`) &&
          block.includes(`${times.cpu} | ${times.gpu}`),
        `${experiment.id} ${profile.name}`,
      );
    }
  }
  // Every shipped experiment has measured or estimated times.
  assert.deepEqual(
    experiments.map((e) => e.id).filter((id) => !RUN_TIMES[id]),
    [],
    "experiments without run times in src/cli/run_times.ts",
  );
});
