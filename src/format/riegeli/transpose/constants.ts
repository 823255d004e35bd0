// Values of Riegeli's transposed chunk encoding: the frozen ones (ids, subtypes) and the encoder's layout choices.

/**
 * State machine entries whose tag field is not a proto tag. They are small numbers that no valid
 * proto tag (field number >= 1, so tag >= 8) can take. Frozen in the file format.
 */
export const MessageId = {
  /** A state that only moves the machine on (it selects a deeper block of states). */
  noOp: 0,
  /** A record that is not a proto message, stored whole in a buffer. */
  nonProto: 1,
  /** Start of a submessage; its tag comes from the matching end-of-submessage state. */
  startOfSubmessage: 2,
  /** Start of a record that is a proto message. */
  startOfMessage: 3,
  /** The encoder's root parent id; never written. Ids above it number the field nodes. */
  root: 4,
} as const;

/** Proto wire types, the low 3 bits of a tag. */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
  /** Not a proto wire type: marks an end-of-submessage state in the tag list. */
  submessageEnd: 6,
} as const;

/**
 * Subtypes (one byte per varint state, implied for the other kinds). Frozen in the file format.
 * Varint subtype `k` in 0..9 means a (k+1)-byte varint stored in the state's buffer; 10 + v means the
 * one-byte value v stored inline in the state (the decoder accepts v up to 127).
 */
export const Subtype = {
  trivial: 0,
  varint1: 0,
  varintMax: 9,
  varintInline0: 10,
  varintInlineMax: 10 + 0x7f,
  lengthDelimitedString: 0,
  lengthDelimitedStartOfSubmessage: 1,
  lengthDelimitedEndOfSubmessage: 2,
} as const;

/** Transition bytes carry the offset from a state's base in their upper 6 bits. */
export const MAX_TRANSITION = 63;
/** A destination reached at least this often from a state gets a place in that state's private list. */
export const MIN_COUNT_FOR_STATE = 10;
/** Varints whose single byte is at most this are stored inline in a state, not in a buffer. */
export const MAX_VARINT_INLINE = 3;
/** Submessages nested deeper than this are stored as strings. */
export const MAX_RECURSION_DEPTH = 100;

/**
 * ArrayRecord's default `transpose_bucket_size` (kDefaultTransposeBucketSize): buffers are grouped
 * into compressed buckets of about this many bytes. Uncompressed chunks ignore it (one bucket per
 * buffer kind).
 */
export const DEFAULT_TRANSPOSE_BUCKET_SIZE = 256;

/**
 * The most a transposed chunk's scratch memory keeps between chunks: its decompressed blocks and the
 * records its state machine rebuilds are dead once the records are copied out, so one buffer serves
 * every chunk (fresh memory costs a page fault per 4 KiB); a larger chunk gets memory of its own.
 */
export const TRANSPOSE_SCRATCH_BYTES = 16 << 20;
