/** EECodec: π on ids in every container, logits gathered back, labels un-permuted. */
import { addComponent, createKey } from "ee-core";
import { describe, expect, it } from "vitest";
import { EECodec } from "../../src/client/codec.js";

const pi = Int32Array.of(2, 0, 3, 1); // token t → π(t)
const lambda = Int32Array.of(1, 0);
const key = createKey({ scheme: "full", architecture: "bert", reproducible: true });
addComponent(key, "vocab.perm", "permutation", { dtype: "I32", shape: [4], data: pi });
addComponent(key, "labels.perm", "permutation", { dtype: "I32", shape: [2], data: lambda });
const codec = new EECodec(key);

describe("EECodec", () => {
  it("encrypts and decrypts ids in arrays, Int32Array and BigInt64Array", () => {
    expect(codec.encryptIds([0, 1, 2, 3])).toEqual([2, 0, 3, 1]);
    expect(codec.decryptIds([2, 0, 3, 1])).toEqual([0, 1, 2, 3]);
    expect(Array.from(codec.encryptIds(Int32Array.of(3, 3)))).toEqual([1, 1]);
    expect(Array.from(codec.decryptIds(BigInt64Array.of(1n, 2n)))).toEqual([3n, 0n]);
    expect(() => codec.encryptIds([4])).toThrow(/token id 4 is outside the vocabulary 0..3/);
  });

  it("gathers logits rows: plain[t] = encrypted[π(t)]", () => {
    // the server's logits for encrypted id e are plain logits of π⁻¹(e)
    const plain = Float32Array.of(10, 11, 12, 13, 20, 21, 22, 23);
    const enc = new Float32Array(8);
    for (let r = 0; r < 2; r++) for (let t = 0; t < 4; t++) enc[r * 4 + pi[t]] = plain[r * 4 + t];
    expect(Array.from(codec.decryptLogits(enc))).toEqual(Array.from(plain));
    expect(() => codec.decryptLogits(new Float32Array(5))).toThrow(/not rows of V = 4/);
  });

  it("un-permutes class logits: plain[l] = encrypted[λ(l)]", () => {
    expect(Array.from(codec.decryptClassLogits(Float32Array.of(5, 7, 1, 2), 2))).toEqual([7, 5, 2, 1]);
    expect(codec.numSecretLabels).toBe(2);
    expect(() => codec.decryptClassLogits(new Float32Array(3), 3)).toThrow(
      /permutes 2 labels, the model has 3/,
    );
  });
});
