/**
 * The public data for the attack benchmarks comes from ee-core's acquisition layer (the one resolver
 * every package uses): `EE_DATA_DIR` → `<repo>/../shared/datasets` → the cache (`ee fetch`).
 */
export { resolveDataDir } from "ee-core";
