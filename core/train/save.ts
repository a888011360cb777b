// Writing model files so a reader never sees a half-written file: temp file in the same folder, fsync,
// rename over the target (atomic on POSIX and on NTFS for same-volume renames).
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toBinary, ModelProtoSchema } from '../onnx/proto.ts';
import type { ModelProto } from '../onnx/proto.ts';

export interface AtomicWriteOptions {
  /** Bytes per write call (default 4 MiB). */
  chunkSize?: number;
  /** Called after each chunk with the bytes written so far; tests throw here to simulate an interrupted write. */
  onChunk?: (written: number) => void;
}

export function writeFileAtomic(path: string, data: Uint8Array, opts: AtomicWriteOptions = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const chunk = opts.chunkSize ?? 4 << 20;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    for (let off = 0; off < data.length;) {
      off += writeSync(fd, data, off, Math.min(chunk, data.length - off));
      opts.onChunk?.(off);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw new Error(`could not write ${path}: ${(e as Error).message}`);
  }
  // fsync the folder so the rename itself survives a crash (not supported on Windows: ignore).
  try { const d = openSync(dirname(path), 'r'); try { fsyncSync(d); } finally { closeSync(d); } } catch { /* best effort */ }
}

export function saveModelAtomic(path: string, model: ModelProto, opts?: AtomicWriteOptions): number {
  const bytes = toBinary(ModelProtoSchema, model);
  writeFileAtomic(path, bytes, opts);
  return bytes.length;
}
