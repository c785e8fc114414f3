/**
 * The ONNX protobuf classes (onnx-proto, protobufjs), imported once. onnx-proto is CommonJS, so
 * its namespace comes out of the default export.
 */
import pkg from "onnx-proto";

/** The `onnx` protobuf namespace (ModelProto, GraphProto, TensorProto, …). */
export const onnx = pkg.onnx;
/** Type-level access to the protobuf interfaces (`Onnx.ITensorProto`, …). */
export type { onnx as Onnx } from "onnx-proto";
