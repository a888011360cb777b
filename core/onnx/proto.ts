// The ONNX schema (onnx-buf: the current onnx.proto compiled for @bufbuild/protobuf).
// protobuf-es keeps unknown fields on decode and writes them back on encode, so a
// read → write round trip changes nothing we did not touch.
export * from 'onnx-buf';
export { create, clone, fromBinary, toBinary } from '@bufbuild/protobuf';
export type {
  ModelProto, GraphProto, NodeProto, TensorProto, AttributeProto, ValueInfoProto,
  TypeProto, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto,
} from 'onnx-buf';
