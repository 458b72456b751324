import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LayerError } from '../../errors';
import { Digester, type Digest } from '../../oci/digest';
import type { Compression } from '../../oci/media-types';
import { DecompressAuto } from '../../stream/compression-detect';
import { defaultNativeOps } from '../native/libc-native-ops';
import { readTar } from '../tar/tar-reader';
import type { ApplyWarning, ExtractOptions } from './apply-types';
import { Extractor } from './extractor';

export interface ApplyOptions extends ExtractOptions {
  /** LAYER_TOO_LARGE past this many uncompressed bytes (decompression bombs); default unlimited */
  maxSize?: number;
  /** LAYER_DIFFID_MISMATCH when the uncompressed stream hashes to something else */
  expectedDiffId?: Digest;
  signal?: AbortSignal;
}

export interface ApplyResult {
  diffId: Digest;
  /** uncompressed bytes */
  size: number;
  entries: number;
  compression: Compression;
  warnings: ApplyWarning[];
}

/**
 * Streams a layer blob (gzip, zstd or plain tar, told apart by magic number)
 * into `root`: decompress, hash the diffID, parse, extract safely. On error
 * the root holds a partial layer: callers extract into a temp directory and
 * rename it into place only on success (snapshot/unpack-image.ts does).
 */
export async function applyLayer(source: Readable, root: string, options: ApplyOptions = {}): Promise<ApplyResult> {
  const extractor = new Extractor(root, { native: defaultNativeOps(), ...options });
  const decompress = new DecompressAuto();
  const digester = new Digester();
  let entries = 0;
  let size = 0;
  let failure: unknown;
  await pipeline(
    source,
    decompress,
    async (chunks: AsyncIterable<Buffer>) => {
      async function* hashed(): AsyncGenerator<Buffer> {
        for await (const chunk of chunks) {
          digester.update(chunk);
          yield chunk;
        }
      }
      try {
        const result = await readTar(hashed(), extractor.entry, {
          ...(options.maxSize !== undefined ? { maxSize: options.maxSize } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        entries = result.entries;
        size = result.size;
      } catch (err) {
        failure = err; // pipeline would report the AbortError of the streams it tears down instead
        throw err;
      }
    },
    options.signal ? { signal: options.signal } : {},
  ).catch((err: unknown) => {
    throw failure ?? err;
  });
  await extractor.finish();
  const diffId = digester.digest();
  if (options.expectedDiffId !== undefined && diffId !== options.expectedDiffId) {
    throw new LayerError('LAYER_DIFFID_MISMATCH', `layer diffID is ${diffId}, the image config says ${options.expectedDiffId}`, {
      expected: options.expectedDiffId,
      found: diffId,
    });
  }
  return { diffId, size, entries, compression: decompress.compression ?? 'none', warnings: extractor.warnings };
}
