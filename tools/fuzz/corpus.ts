// The inputs the fuzzer mutates: Google's golden files, files our ArrayRecordWriter makes with several
// option sets, and plain Riegeli files; each with its records as the readers return them when intact.

import fs from 'node:fs';
import path from 'node:path';
import {
  ArrayRecordReader,
  ArrayRecordWriter,
  bytesFeature,
  encodeExample,
  floatFeature,
  int64Feature,
  RiegeliRecordReader,
} from '../../src/index.js';
import { digest, metadataJson } from './digest.js';
import { Appender } from './frame.js';
import { CompressionType, encodeMetadataChunk, encodeSimpleChunk, encodeTransposedChunk, type EncodedChunkData } from './format.js';
import { REPO_ROOT } from '../repo.js';
import { Rng } from './rng.js';
import { arrayRecordStructure, walkChunks, type ArrayRecordStructure, type ChunkSite } from './structure.js';

const GOLDEN_DIR = path.join(REPO_ROOT, 'test/golden');

/** One input file and what reading it must give while it is intact. */
export interface CorpusFile {
  readonly name: string;
  readonly kind: 'arrayrecord' | 'riegeli';
  readonly bytes: Uint8Array;
  /** How often it is picked, relative to the others (large files less often: each mutant costs its size). */
  readonly weight: number;
  /** Chunks from the start, as they verify. */
  readonly chunks: readonly ChunkSite[];
  /** Postscript and footer (ArrayRecord files). */
  readonly layout: ArrayRecordStructure | undefined;
  /** Digest of record i as ArrayRecordReader returns it (ArrayRecord files). */
  readonly recordDigests: readonly string[];
  /** Records as RiegeliRecordReader returns them: its numeric position and the digest. */
  readonly riegeliRecords: readonly (readonly [number, string])[];
  /** RecordsMetadata as metadataJson prints it ('null' without metadata). */
  readonly metadata: string;
}

/** Why a file was left out of the corpus (its intact form does not read back right). */
export interface CorpusProblem {
  readonly name: string;
  readonly problem: string;
}

const CORPUS_SEED = 20240610;

function smallRecord(rng: Rng, maxSize: number): Uint8Array {
  const record = rng.bytes(rng.int(maxSize + 1));
  // Half the records compress well, like real data.
  if (rng.chance(0.5)) record.fill(record[0] ?? 0, record.length >> 1);
  return record;
}

function tfExample(rng: Rng, i: number): Uint8Array {
  return encodeExample({
    id: int64Feature([i]),
    label: int64Feature([rng.int(10)]),
    score: floatFeature([rng.int(1000) / 7]),
    embedding: floatFeature(Array.from({ length: rng.int(12) }, () => rng.int(100) / 3)),
    text: bytesFeature([`record ${i} ${'x'.repeat(rng.int(40))}`]),
    tokens: int64Feature(Array.from({ length: rng.int(20) }, () => rng.int(300_000))),
  });
}

interface WriterSpec {
  readonly name: string;
  readonly options: string;
  readonly records: (rng: Rng) => Uint8Array[];
  readonly metadata?: { fileComment: string; recordTypeName?: string };
}

const WRITER_SPECS: readonly WriterSpec[] = [
  { name: 'w_zstd_g1', options: 'group_size:1,zstd:3', records: (rng) => Array.from({ length: 40 }, () => smallRecord(rng, 500)) },
  { name: 'w_snappy_g16', options: 'group_size:16,snappy', records: (rng) => Array.from({ length: 150 }, () => smallRecord(rng, 3000)) },
  { name: 'w_brotli_g16', options: 'group_size:16,brotli:5', records: (rng) => Array.from({ length: 100 }, () => smallRecord(rng, 2000)) },
  {
    name: 'w_none_g1_big',
    options: 'group_size:1,uncompressed',
    records: (rng) => [smallRecord(rng, 100), rng.bytes(100_000), new Uint8Array(0), smallRecord(rng, 3000), rng.bytes(70_000)],
  },
  {
    name: 'w_tfex_transpose_zstd_meta',
    options: 'group_size:16,transpose:true,zstd:3',
    records: (rng) => Array.from({ length: 100 }, (_, i) => tfExample(rng, i)),
    metadata: { fileComment: 'fuzz corpus', recordTypeName: 'tensorflow.Example' },
  },
  { name: 'w_tfex_transpose_none', options: 'group_size:16,transpose:true,uncompressed', records: (rng) => Array.from({ length: 60 }, (_, i) => tfExample(rng, i)) },
  {
    name: 'w_transpose_mixed_snappy',
    options: 'group_size:8,transpose:true,snappy',
    records: (rng) => Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? smallRecord(rng, 200) : tfExample(rng, i))),
  },
  {
    name: 'w_pad_meta',
    options: 'group_size:16,zstd:1,pad_to_block_boundary:true',
    records: (rng) => Array.from({ length: 40 }, () => smallRecord(rng, 1000)),
    metadata: { fileComment: 'padded' },
  },
  { name: 'w_empty_meta', options: 'group_size:1', records: () => [], metadata: { fileComment: 'empty' } },
  { name: 'w_brotli_g1', options: 'group_size:1,brotli', records: (rng) => Array.from({ length: 12 }, () => smallRecord(rng, 300)) },
];

/** Plain Riegeli files: the signature, then chunks as a riegeli::RecordWriter lays them out. */
function riegeliSpecs(rng: Rng): { name: string; chunks: EncodedChunkData[] }[] {
  const zstd = { type: CompressionType.zstd, level: 3 } as const;
  const snappy = { type: CompressionType.snappy, level: 1 } as const;
  const none = { type: CompressionType.none, level: 0 } as const;
  const group = (count: number, maxSize: number): Uint8Array[] => Array.from({ length: count }, () => smallRecord(rng, maxSize));
  return [
    {
      name: 'r_simple_zstd_meta',
      chunks: [encodeMetadataChunk({ fileComment: 'plain riegeli' }, zstd), ...Array.from({ length: 5 }, () => encodeSimpleChunk(group(10, 800), zstd))],
    },
    {
      name: 'r_transposed',
      chunks: [0, 1, 2].map((c) => encodeTransposedChunk(Array.from({ length: 20 }, (_, i) => tfExample(rng, c * 20 + i)), zstd, 256)),
    },
    {
      name: 'r_mixed_big',
      chunks: [
        encodeSimpleChunk([rng.bytes(90_000), smallRecord(rng, 100)], none),
        { chunkType: 0x70, data: new Uint8Array(300), numRecords: 0, decodedDataSize: 0 },
        encodeSimpleChunk(group(30, 400), snappy),
        encodeTransposedChunk(group(5, 50), none, 256),
      ],
    },
  ];
}

function writeRiegeli(file: string, chunks: readonly EncodedChunkData[]): void {
  // The 64 bytes every Riegeli file starts with: block header + signature chunk.
  const signature = new Appender(new Uint8Array(0));
  signature.writeChunk({ chunkType: 0x73, data: new Uint8Array(0), numRecords: 0, decodedDataSize: 0 });
  const appender = new Appender(signature.bytes());
  for (const chunk of chunks) appender.writeChunk(chunk);
  fs.writeFileSync(file, appender.bytes());
}

/** What the readers return for an intact file; throws when they fail on it. */
function baseline(file: string, kind: CorpusFile['kind']): Pick<CorpusFile, 'recordDigests' | 'riegeliRecords' | 'metadata'> {
  let recordDigests: string[] = [];
  let metadata: string;
  if (kind === 'arrayrecord') {
    const reader = new ArrayRecordReader(file);
    try {
      recordDigests = reader.readAll().map(digest);
      metadata = metadataJson(reader.metadata());
    } finally {
      reader.close();
    }
  } else {
    const reader = new RiegeliRecordReader(file);
    try {
      metadata = metadataJson(reader.metadata());
    } finally {
      reader.close();
    }
  }
  const riegeliRecords: [number, string][] = [];
  const reader = new RiegeliRecordReader(file);
  try {
    for (;;) {
      const record = reader.read();
      if (record === undefined) break;
      riegeliRecords.push([reader.lastPos(), digest(record)]);
    }
  } finally {
    reader.close();
  }
  return { recordDigests, riegeliRecords, metadata };
}

function goldenFiles(): { name: string; file: string; kind: CorpusFile['kind']; sha256: string[] | undefined }[] {
  return fs
    .readdirSync(GOLDEN_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((json) => {
      const sidecar = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, json), 'utf8')) as { file: string; sha256?: string[] };
      const kind: CorpusFile['kind'] = sidecar.file.endsWith('.riegeli') ? 'riegeli' : 'arrayrecord';
      return { name: sidecar.file, file: path.join(GOLDEN_DIR, sidecar.file), kind, sha256: sidecar.sha256 };
    })
    .filter((entry) => fs.existsSync(entry.file));
}

/**
 * Builds the corpus in `dir`: writer-made and Riegeli files are written there, golden files are read in
 * place. A file whose intact form does not read back as expected is left out and reported.
 */
export function buildCorpus(dir: string): { files: CorpusFile[]; problems: CorpusProblem[] } {
  const rng = new Rng(CORPUS_SEED);
  const candidates: { name: string; file: string; kind: CorpusFile['kind']; sha256?: string[] | undefined; expected?: string[] }[] = [];
  for (const golden of goldenFiles()) candidates.push(golden);
  for (const spec of WRITER_SPECS) {
    const file = path.join(dir, `${spec.name}.array_record`);
    const records = spec.records(rng);
    const writer = new ArrayRecordWriter(file, spec.options, spec.metadata === undefined ? {} : { metadata: spec.metadata });
    for (const record of records) writer.write(record);
    writer.close();
    candidates.push({ name: spec.name, file, kind: 'arrayrecord', expected: records.map(digest) });
  }
  for (const spec of riegeliSpecs(rng)) {
    const file = path.join(dir, `${spec.name}.riegeli`);
    writeRiegeli(file, spec.chunks);
    candidates.push({ name: spec.name, file, kind: 'riegeli' });
  }

  const files: CorpusFile[] = [];
  const problems: CorpusProblem[] = [];
  for (const candidate of candidates) {
    try {
      const bytes = new Uint8Array(fs.readFileSync(candidate.file));
      const read = baseline(candidate.file, candidate.kind);
      const expected = candidate.expected ?? candidate.sha256?.map((hash) => hash.slice(0, read.recordDigests[0]?.length ?? 24));
      const got = candidate.kind === 'arrayrecord' ? read.recordDigests : read.riegeliRecords.map(([, d]) => d);
      if (expected !== undefined && (expected.length !== got.length || expected.some((d, i) => d !== got[i]))) {
        problems.push({ name: candidate.name, problem: `the intact file reads back ${got.length} records that differ from the ${expected.length} expected` });
        continue;
      }
      const layout = candidate.kind === 'arrayrecord' ? arrayRecordStructure(bytes) : undefined;
      if (candidate.kind === 'arrayrecord' && layout === undefined) {
        problems.push({ name: candidate.name, problem: 'the fuzzer cannot parse its footer' });
        continue;
      }
      // Each mutant costs about its file's size and chunk count in every path: big files are picked less
      // often (the six golden files of 500-1000 one-record chunks differ mostly in their codec).
      const chunks = walkChunks(bytes);
      const weight = bytes.length > 1_000_000 || chunks.length > 400 ? 0.35 : candidate.file.startsWith(GOLDEN_DIR) ? 1 : 1.5;
      files.push({ name: candidate.name, kind: candidate.kind, bytes, weight, chunks, layout, ...read });
    } catch (error) {
      problems.push({ name: candidate.name, problem: `reading the intact file failed: ${(error as Error).message}` });
    }
  }
  return { files, problems };
}
