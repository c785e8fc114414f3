import { llamaCppEngine } from "../dist/engines/llamacpp/factory.js";
let t = performance.now();
const lap = (s) => {
  const n = performance.now();
  console.log(s, (n - t).toFixed(0), "ms");
  t = n;
};
const e = await llamaCppEngine.open(process.argv[2], { threads: 1, extra: { contextSize: 512 } });
lap("open");
const r = await e.generate([[128000, 791, 6864, 315, 9822, 374]], { maxNewTokens: 8 });
lap("generate");
console.log(
  r.sequences[0].tokenIds,
  r.timeToFirstTokenMs.toFixed(0),
  r.perTokenMs.map((x) => x.toFixed(0)).join(" "),
);
await e.close();
