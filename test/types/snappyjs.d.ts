// Type declarations for snappyjs (a pure-JS snappy raw-format codec that ships none).

declare module 'snappyjs' {
  /** Compresses to the snappy raw format; returns the input's type (Uint8Array, Buffer or ArrayBuffer). */
  export function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  /** Decompresses snappy raw format; throws when the stream is invalid or longer than `maxLength`. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
}
