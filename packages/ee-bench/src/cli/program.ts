/** The `ee` program definition: options and help text; actions live in commands.ts. */
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_ENGINE, LAUNCHERS, SCHEMES } from "ee-models";
import { commandTable } from "./commands.js";

/** Parse an integer option, naming the option in the error. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
    return n;
  };
}

/** Parse an integer option within `min..max`, naming the option and the range in the error. */
export function intInRange(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = intOption(name)(value);
    if (n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
      throw new InvalidArgumentError(`${name} must be an integer ${range}, got ${value}`);
    }
    return n;
  };
}

/** Parse a finite number option, naming the option in the error. */
export function numberOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${value}"`);
    return n;
  };
}

const deviceOption = () =>
  new Option("--device <device>", "execution provider").choices(["cpu", "cuda"]).default("cpu");

export function buildProgram(): Command {
  const program = new Command("ee")
    .description("Equivariant Encryption benchmark suite: VI vs EE for BERT, RoBERTa and Llama")
    .option("--debug", "print stack traces on errors")
    .showHelpAfterError("(run ee <command> --help for usage)");

  program
    .command("build")
    .description(
      "write a model folder: ONNX (config.json, onnx/model.onnx, tokenizer, weights) or a Hugging Face checkpoint (--format hf)",
    )
    .argument(
      "<preset>",
      "preset name (e.g. bert-base, roberta-base, llama-3.1-mini), a config.json path, or a checkpoint folder (plain or encrypted HF format; its config.json is used)",
    )
    .requiredOption("--out <dir>", "output folder")
    .option(
      "--weights <dir|hf:REPO[@REV]>",
      "a Hugging Face checkpoint folder (safetensors or pytorch_model.bin), or hf:REPO[@REV] fetched into the HF cache; its config.json is the truth and must agree with the preset (default: synthetic weights)",
    )
    .addOption(
      new Option("--format <format>", "output format: onnx folder, or hf (config.json + model.safetensors)")
        .choices(["onnx", "hf"])
        .default("onnx"),
    )
    .option("--seed <n>", "seed for synthetic weights (reproducible)", intInRange("--seed", 0))
    .option("--fused", "use ONNX Runtime's fused contrib ops where they help")
    .addOption(
      new Option(
        "--weight-dtype <dtype>",
        "ONNX format, Llama: store the matrices as float16 (half the memory, cast to float32 where read; lossy — measure fidelity; run with the engine option graphOptimizationLevel=disabled, or the runtime widens them back at load)",
      )
        .choices(["float32", "float16"])
        .default("float32"),
    )
    .option("--overwrite", "replace an existing output folder (atomically; refused without this flag)")
    .action(commandTable.build);

  program
    .command("encrypt")
    .description("turn a plain model folder into an encrypted one and write the client's key (mode 0600)")
    .argument(
      "<plain-dir>",
      "plain model folder (from `ee build`, ONNX or HF format, or a HF checkpoint folder)",
    )
    .requiredOption("--out <dir>", "encrypted model folder to write")
    .addOption(
      new Option(
        "--format <format>",
        "output format: onnx folder, or hf (config.json + model.safetensors, streamed layer by layer, source dtype kept)",
      )
        .choices(["onnx", "hf"])
        .default("onnx"),
    )
    .requiredOption("--key <file>", "key file to write (safetensors, mode 0600)")
    .addOption(
      new Option(
        "--scheme <scheme>",
        "encryption scheme (control: identity key, an A/A benchmark baseline, NOT encryption; noise-N: full + N % row noise, not exact)",
      )
        .choices(Object.keys(SCHEMES))
        .default("full"),
    )
    .option("--seed <n>", "derive the key from a seed: reproducible, NOT secret", intInRange("--seed", 0))
    .option(
      "--homophones-from <file>",
      "scheme homophonic: text file whose lines the plain folder's tokenizer counts to size the homophones (default: 2,000 IMDB test reviews; Zipf over ids without a tokenizer)",
    )
    .option(
      "--homophone-extra <n>",
      "scheme homophonic: extra encrypted ids beyond the vocabulary (default: a quarter of the vocabulary)",
      intInRange("--homophone-extra", 0),
    )
    .option(
      "--overwrite",
      "replace an existing output folder and key file (atomically; refused without this flag)",
    )
    .action(commandTable.encrypt);

  program
    .command("infer")
    .description("classify a text (BERT/RoBERTa) or generate a reply (Llama); with --key, run the EE client")
    .argument(
      "<model-dir>",
      "plain or encrypted model folder, ONNX or Hugging Face format (an HF folder is built to ONNX once, cached)",
    )
    .option("--text <text>", "input text")
    .option("--ids <ids>", "causal LMs: prompt token ids, comma-separated (for folders without a tokenizer)")
    .option("--key <file>", "key file: the folder is encrypted; encrypt ids, decrypt outputs on this side")
    .option(
      "--tokenizer <dir>",
      "plain model folder whose tokenizer the client uses (encrypted folders have none)",
    )
    .option(
      "--max-new-tokens <n>",
      "Llama: tokens to generate",
      intInRange("--max-new-tokens", 1, 1 << 20),
      32,
    )
    .option("--json", "print JSON instead of text")
    .option(
      "--verify-full",
      "hash every ee.json-bound file again instead of reusing digests of unchanged files (same as EE_VERIFY_FULL=1)",
    )
    .addOption(deviceOption())
    .action(commandTable.infer);

  program
    .command("run")
    .description("run a benchmark suite (benchmarks/<suite>.json or a path) and write reports/<run-id>/")
    .argument("[suite]", "suite name or JSON path", "default")
    .option("--resume <run-dir>", "continue an interrupted run; samples already recorded are kept")
    .option("--out <dir>", "reports folder (default: the repository's reports/)")
    .option("--samples <n>", "override every row's sample count", intInRange("--samples", 1))
    .option("--reps <n>", "override every row's repetitions (>= 3)", intInRange("--reps", 3))
    .option("--rows <ids>", "comma-separated row ids to run")
    .option("--warmup <n>", "override every row's warm-up calls", intInRange("--warmup", 0))
    .option(
      "--threads <n>",
      "engine intra-op threads (default: the machine's logical cores; fixed and recorded)",
      intInRange("--threads", 1, 1024),
    )
    .option("--pin-cpus <list>", "pin the run to these CPUs with taskset, e.g. 0-1 (Linux, util-linux)")
    .option("--engine <name>", "run every row in this engine (see `ee engines`)")
    .addOption(
      new Option(
        "--launcher <where>",
        "run VI and EE in this process or each in its own child process",
      ).choices([...LAUNCHERS]),
    )
    .option(
      "--data-dir <dir>",
      "data directory (default: EE_DATA_DIR, else ../shared/datasets, else the cache)",
    )
    .option("--cache-dir <dir>", "built/encrypted model cache (default: <reports>/.cache)")
    .option("--verify-data", "check every data file's sha256 against the manifests")
    .option("--no-render", "skip SVG/PNG chart rendering (specs and tables are still written)")
    .addOption(deviceOption())
    .action(commandTable.run);

  program
    .command("table")
    .description("regenerate table.csv, table.md, charts and index.html from a run's samples.jsonl")
    .argument("<run-dir>", "a run folder (or reports/latest)")
    .option("--no-render", "skip SVG/PNG chart rendering")
    .action(commandTable.table);

  program
    .command("compare")
    .description("compare two runs row by row (paired ΔT with 95 % intervals, Welch t-test over repetitions)")
    .argument("<run-a>", "baseline run folder")
    .argument("[run-b]", "candidate run folder (with --rows: optional, default run-a)")
    .option("--rows <base,candidate>", "compare these two rows (variants of one model) instead of whole runs")
    .option(
      "--fail-above <pct>",
      "exit 1 when a row's paired ΔT worsens by more than pct points, or the candidate lacks rows or repetitions",
      numberOption("--fail-above"),
    )
    .option("--json", "print JSON")
    .action(commandTable.compare);

  program
    .command("history")
    .description(
      "index run folders, group comparable runs, chart each row's trend and flag steps beyond noise",
    )
    .argument("<reports-dir>", "folder of run folders (e.g. reports)")
    .option("--out <dir>", "output folder (default: <reports-dir>/history)")
    .option("--fail-on-regression", "exit 1 when a flagged step is a slowdown")
    .option("--json", "print history.json")
    .option("--no-render", "skip SVG/PNG chart rendering (specs are still written)")
    .action(commandTable.history);

  program
    .command("fetch")
    .description(
      "download what a suite, datasets or models need from their pinned public origins (verified, cached); default: the default suite",
    )
    .option("--suite <name>", "a suite's data and tokenizer files")
    .option("--dataset <names...>", "every file of these datasets (datasets/<name>.json)")
    .option("--model <refs...>", "preset names (tokenizer files) or Hub checkpoints hf:REPO[@REV]")
    .option("--offline", "never touch the network (like HF_HUB_OFFLINE=1)")
    .option("--data-dir <dir>", "a mirror to use first (default: EE_DATA_DIR, else ../shared/datasets)")
    .action(commandTable.fetch);

  program
    .command("attack")
    .description(
      "measure how much of the key an attacker recovers (ciphertext-only, known-plaintext, weights)",
    )
    .requiredOption("--model <plain-dir>", "the public plain model folder")
    .requiredOption("--encrypted <enc-dir>", "the encrypted model folder the server holds")
    .option(
      "--key <file>",
      "the key, used only to score the attacks (required unless --traffic-log: then only guesses are printed)",
    )
    .option(
      "--traffic-log <file>",
      "attack the prompts an `ee serve --log-requests` log recorded (traffic attacks only) instead of simulated traffic",
    )
    .option(
      "--observed <list>",
      "observed-token counts to sweep, comma-separated (default 1000,10000,100000; with --traffic-log the whole log)",
    )
    .option("--seed <n>", "seed of the attacks' own randomness", intInRange("--seed", 0), 1)
    .option(
      "--out <dir>",
      "write attack.json / attack.md / attack.vl.json here (guesses.json with --traffic-log and no --key)",
    )
    .option(
      "--data-dir <dir>",
      "data directory (default: EE_DATA_DIR, else ../shared/datasets, else the cache)",
    )
    .option(
      "--attacks <list>",
      "attacks to run: registry names or threat models (ciphertext-only, known-plaintext, public-weights, hidden-state, model-oracle), comma-separated",
    )
    .option(
      "--prior <kind>",
      "the attacker's prior text: same-distribution (disjoint sample), same-domain (other source) or none",
      "same-distribution",
    )
    .action(commandTable.attack);

  program
    .command("attack-report")
    .description(
      "the confidentiality report: build, encrypt and attack every preset × scheme; recovery, fidelity and a Pareto chart",
    )
    .option("--presets <list>", "presets, comma-separated", "bert-base,llama-3.1-mini")
    .option("--schemes <list>", "schemes, comma-separated", "vocab,full,noise-2,noise-10,noise-30")
    .option("--attacks <list>", "attacks or threat models, comma-separated (default: all)")
    .option("--observed <list>", "observed-token counts to sweep, comma-separated", "1000,10000,100000")
    .option(
      "--seed <n>",
      "seed of weights, keys (NOT secret), data split and attacks",
      intOption("--seed"),
      1,
    )
    .option(
      "--fidelity-samples <n>",
      "held-out inputs compared for fidelity",
      intOption("--fidelity-samples"),
      64,
    )
    .requiredOption(
      "--out <dir>",
      "write confidentiality.{json,md} and pareto.vl.json here (models cached in <dir>/.models)",
    )
    .option(
      "--data-dir <dir>",
      "data directory (default: EE_DATA_DIR, else ../shared/datasets, else the cache)",
    )
    .action(commandTable.attackReport);

  program
    .command("engines")
    .description("list the inference engines, and whether (on which devices) each runs here")
    .option("--json", "print JSON")
    .action(commandTable.engines);

  program
    .command("export")
    .description(
      "write a plain or encrypted Llama folder as a GGUF file for llama.cpp (encrypted: no vocabulary)",
    )
    .argument("<model-dir>", "plain or encrypted Llama model folder")
    .addOption(new Option("--format <format>", "output format").choices(["gguf"]).default("gguf"))
    .addOption(
      new Option("--type <type>", "element type of the 2-D weights")
        .choices(["f32", "f16", "q8_0"])
        .default("f32"),
    )
    .option("--out <file>", "output file (default <model-dir>/model-<type>.gguf)")
    .option("--overwrite", "replace an existing output file")
    .action(commandTable.export);

  program
    .command("serve")
    .description(
      "the untrusted server: OpenAI-compatible HTTP (vLLM's completions API, token ids only) over a folder",
    )
    .argument("<model-folder>", "plain or encrypted model folder, with no key and no tokenizer in it")
    .option("--engine <name>", "engine that opens the folder", DEFAULT_ENGINE)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <n>", "TCP port (0 = any free port)", intOption("--port"), 8000)
    .option(
      "--max-concurrency <n>",
      "most prompts batched into one engine call",
      intOption("--max-concurrency"),
      8,
    )
    .option(
      "--max-queue <n>",
      "most prompts waiting; beyond it requests get 429",
      intOption("--max-queue"),
      1024,
    )
    .option("--log-requests <file>", "append what the server sees (ids, lengths, timings) as JSONL")
    .option("--threads <n>", "engine threads inside one op", intOption("--threads"))
    .option("--allow-spinning", "let idle engine threads spin-wait (default off: servers sharing cores)")
    .addOption(deviceOption())
    .action(commandTable.serve);

  return program;
}
