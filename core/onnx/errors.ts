// The one error type for models we cannot use. `code` is stable (tests and the UI switch on it);
// the message names the offending node/tensor and says what to do next.
export type ModelErrorCode =
  | 'empty'            // zero-length input
  | 'too-large'        // file or tensor beyond the configured limits
  | 'not-protobuf'     // bytes are not a protobuf message at all
  | 'truncated'        // protobuf ends in the middle of a field
  | 'corrupt'          // starts like a model, but a nested message is damaged
  | 'too-deep'         // nesting (subgraphs) beyond the limit
  | 'not-onnx'         // valid protobuf, but not an ONNX ModelProto
  | 'unsupported-ir'   // IR version we cannot read
  | 'no-graph'         // ModelProto without a graph
  | 'bad-dims'         // negative or absurd dimensions
  | 'size-mismatch'    // declared tensor size disagrees with the stored data
  | 'external-path'    // external data path that is absolute or escapes the model folder
  | 'external-missing' // external data file not found / unreadable
  | 'external-range'   // external data offset/length outside the file
  | 'cycle'            // node graph is not a DAG
  | 'missing-input'    // a node reads a tensor nothing produces
  | 'duplicate-output' // two producers for one tensor name
  | 'unknown-tensor'   // caller named a tensor that is not in the graph
  | 'io';              // file system error reading/writing the model

export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(readonly code: ModelErrorCode, message: string) {
    super(message);
  }
}

export function isModelError(e: unknown): e is ModelError {
  return e instanceof ModelError;
}
