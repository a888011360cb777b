// Writes a ModelProto. Unknown fields read from a file are written back unchanged (protobuf-es keeps them).
import { writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { toBinary, ModelProtoSchema } from './proto.ts';
import type { ModelProto } from './proto.ts';
import { ModelError } from './errors.ts';

export function saveModelBytes(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** Write via a temporary file in the same folder, then rename: readers never see a half-written model. */
export function saveModelFile(model: ModelProto, path: string): void {
  const bytes = saveModelBytes(model);
  if (bytes.length > 2 * 1024 ** 3 - 1) {
    throw new ModelError('too-large', `the model serialises to ${bytes.length} bytes, above protobuf's 2 GiB limit; store weights as external data`);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw new ModelError('io', `cannot write "${path}": ${(e as Error).message}`);
  }
}
