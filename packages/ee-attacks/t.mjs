import { createRandom, randomPermutation } from "ee-core";
import { resolveDataDir } from "./dist/bench/data-dir.js";
import { bertTokenizer } from "./dist/bench/tokenizers.js";
import { bertWorkload } from "./dist/bench/workloads.js";
import { frequencyAttack, hillClimbAttack, buildBigramModel, observedStats, scoreRanking, distinctIds, heldOutDecryption, truncateCorpus } from "./dist/index.js";
const dd=resolveDataDir(); const tok=bertTokenizer(dd); const w=bertWorkload(tok, dd);
const V=w.vocabSize; const pi=randomPermutation(V, createRandom({seed:5}));
const enc=(c)=>({name:c.name, docs:c.docs.map(d=>d.map(t=>pi[t]))});
const n=Number(process.argv[2]);
const obs=truncateCorpus(enc(w.victim), n); const held=enc(w.heldOut);
const model=buildBigramModel(w.prior, V, 0.75); const stats=observedStats(obs, V);
const freq=frequencyAttack(model.unigram, stats.unigram);
const occ=distinctIds(obs,V);
console.log("symbols", stats.symbols.length, "freq", scoreRanking(freq.ranking,pi,occ).top1Pct.toFixed(2), heldOutDecryption(freq.ranking,pi,held).pct.toFixed(2));
for (const o of JSON.parse(process.argv[3])) {
  const t=performance.now();
  const hc=hillClimbAttack({model,stats,start:freq.decrypt, fallback: freq.ranking}, o, createRandom({seed:1}));
  console.log(JSON.stringify(o), "hc", scoreRanking(hc.ranking,pi,occ).top1Pct.toFixed(2), heldOutDecryption(hc.ranking,pi,held).pct.toFixed(2), "ms", Math.round(performance.now()-t), hc.swapsAccepted, (hc.logLikelihood-hc.startLogLikelihood).toFixed(0));
}
