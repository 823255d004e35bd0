;; Riegeli's HighwayHash-64 (google/highwayhash, 64-bit result, Riegeli's fixed key) in WebAssembly SIMD.
;; Written after the algorithm's SSE4.1 form: each of the four state vectors (v0, v1, mul0, mul1) is
;; four u64 lanes, held as two v128 halves, L = lanes 0-1 and H = lanes 2-3.
;;
;; Memory (exported, 2 pages, never grown): bytes [0, 8) receive the hash, [32, 64) are the packet of the final
;; partial 32 bytes, and the input is written at [INPUT, INPUT + WINDOW) = [64, 64 + 65536) by the caller.
;; Inputs longer than the window go through `absorb` a window at a time (the state waits in globals),
;; and their last piece through `finish`. `hash.ts` regenerates the module from this file.

(module
  (memory (export "memory") 2)

  ;; The state between windows of one long input.
  (global $v0L (mut v128) (v128.const i64x2 0 0))
  (global $v0H (mut v128) (v128.const i64x2 0 0))
  (global $v1L (mut v128) (v128.const i64x2 0 0))
  (global $v1H (mut v128) (v128.const i64x2 0 0))
  (global $mul0L (mut v128) (v128.const i64x2 0 0))
  (global $mul0H (mut v128) (v128.const i64x2 0 0))
  (global $mul1L (mut v128) (v128.const i64x2 0 0))
  (global $mul1H (mut v128) (v128.const i64x2 0 0))

  ;; Sets the state as HighwayHash's Reset does for Riegeli's key "Riegeli/records\n" twice:
  ;; mul0/mul1 are the algorithm's constants, v0 = mul0 ^ key, v1 = mul1 ^ (key with its 32-bit halves swapped).
  (func $reset (export "reset")
    (global.set $mul0L (v128.const i64x2 0xdbe6d5d5fe4cce2f 0xa4093822299f31d0))
    (global.set $mul0H (v128.const i64x2 0x13198a2e03707344 0x243f6a8885a308d3))
    (global.set $mul1L (v128.const i64x2 0x3bd39e10cb0ef593 0xc0acf169b5f18a8c))
    (global.set $mul1H (v128.const i64x2 0xbe5466cf34e90c6c 0x452821e638d01377))
    (global.set $v0L (v128.xor (global.get $mul0L) (v128.const i64x2 0x2f696c6567656952 0x0a7364726f636572)))
    (global.set $v0H (v128.xor (global.get $mul0H) (v128.const i64x2 0x2f696c6567656952 0x0a7364726f636572)))
    (global.set $v1L (v128.xor (global.get $mul1L) (v128.const i64x2 0x676569522f696c65 0x6f6365720a736472)))
    (global.set $v1H (v128.xor (global.get $mul1H) (v128.const i64x2 0x676569522f696c65 0x6f6365720a736472))))

  ;; Hashes the `length` bytes at INPUT as the rest of the input (all of it after `reset`), then
  ;; finalizes and stores the hash at 0 when `final` is nonzero; otherwise `length` is a multiple
  ;; of 32 and the state is kept for the next call.
  (func $run (param $length i32) (param $final i32)
    (local $v0L v128) (local $v0H v128) (local $v1L v128) (local $v1H v128)
    (local $mul0L v128) (local $mul0H v128) (local $mul1L v128) (local $mul1H v128)
    (local $packetL v128) (local $packetH v128)
    (local $at i32) (local $packetsEnd i32) (local $partial i32) (local $tail i32) (local $last i32)
    (local $permutations i32)
    (local.set $v0L (global.get $v0L)) (local.set $v0H (global.get $v0H))
    (local.set $v1L (global.get $v1L)) (local.set $v1H (global.get $v1H))
    (local.set $mul0L (global.get $mul0L)) (local.set $mul0H (global.get $mul0H))
    (local.set $mul1L (global.get $mul1L)) (local.set $mul1H (global.get $mul1H))
    (local.set $at (i32.const 64))
    (local.set $packetsEnd (i32.add (i32.const 64) (i32.and (local.get $length) (i32.const -32))))
    ;; Bytes after the last whole packet; set to 0 once they are absorbed.
    (local.set $partial (i32.and (local.get $length) (i32.const 31)))
    (if (i32.eqz (local.get $final))
      (then (if (i32.eq (local.get $at) (local.get $packetsEnd)) (then (return)))))
    ;; One Update per turn: the whole packets, then the partial one, then (final only) four permutations.
    (loop $update
      (if (i32.lt_u (local.get $at) (local.get $packetsEnd))
        (then
          (local.set $packetL (v128.load (local.get $at)))
          (local.set $packetH (v128.load offset=16 (local.get $at)))
          (local.set $at (i32.add (local.get $at) (i32.const 32))))
        (else
          (if (local.get $partial)
            (then
              ;; UpdateRemainder: fold the length into v0, rotate v1's 32-bit halves by it, then
              ;; absorb the packet of the whole 4-byte words plus up to 4 more bytes placed as upstream does.
              (local.set $v0L (i64x2.add (local.get $v0L) (i32x4.splat (local.get $partial))))
              (local.set $v0H (i64x2.add (local.get $v0H) (i32x4.splat (local.get $partial))))
              (local.set $v1L (v128.or
                (i32x4.shl (local.get $v1L) (local.get $partial))
                (i32x4.shr_u (local.get $v1L) (i32.sub (i32.const 32) (local.get $partial)))))
              (local.set $v1H (v128.or
                (i32x4.shl (local.get $v1H) (local.get $partial))
                (i32x4.shr_u (local.get $v1H) (i32.sub (i32.const 32) (local.get $partial)))))
              (v128.store (i32.const 32) (v128.const i64x2 0 0))
              (v128.store (i32.const 48) (v128.const i64x2 0 0))
              ;; $tail: the bytes after the whole words (0-3); $last: the address just past the input.
              (local.set $tail (i32.and (local.get $partial) (i32.const 3)))
              (local.set $last (i32.add (local.get $at) (local.get $partial)))
              (memory.copy (i32.const 32) (local.get $at) (i32.and (local.get $partial) (i32.const 28)))
              (if (i32.and (local.get $partial) (i32.const 16))
                (then
                  ;; 16-31 bytes: the last four input bytes go into the packet's top four bytes.
                  (i32.store (i32.const 60) (i32.load (i32.sub (local.get $last) (i32.const 4)))))
                (else
                  (if (local.get $tail)
                    (then
                      ;; 1-15 bytes: the first, middle and last byte of the tail at packet bytes 16-18.
                      (i32.store8 (i32.const 48) (i32.load8_u (i32.sub (local.get $last) (local.get $tail))))
                      (i32.store8 (i32.const 49) (i32.load8_u (i32.add
                        (i32.sub (local.get $last) (local.get $tail))
                        (i32.shr_u (local.get $tail) (i32.const 1)))))
                      (i32.store8 (i32.const 50) (i32.load8_u (i32.sub (local.get $last) (i32.const 1))))))))
              (local.set $packetL (v128.load (i32.const 32)))
              (local.set $packetH (v128.load (i32.const 48)))
              (local.set $partial (i32.const 0)))
            (else
              ;; PermuteAndUpdate: the packet is v0 with its halves exchanged and each lane's 32-bit halves swapped.
              (local.set $packetL (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v0H) (local.get $v0H)))
              (local.set $packetH (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v0L) (local.get $v0L)))
              (local.set $permutations (i32.add (local.get $permutations) (i32.const 1)))))))
      ;; Update: v1 += packet + mul0; mul0 ^= lo32(v1) * hi32(v0); v0 += mul1; mul1 ^= lo32(v0) * hi32(v1);
      ;; then v0 += zipper(v1) and v1 += zipper(v0). The 32x32->64 products take the low (even) 32-bit
      ;; words of one operand and the high (odd) words of the other, gathered from both halves at once.
      (local.set $v1L (i64x2.add (local.get $v1L) (i64x2.add (local.get $packetL) (local.get $mul0L))))
      (local.set $v1H (i64x2.add (local.get $v1H) (i64x2.add (local.get $packetH) (local.get $mul0H))))
      (local.set $packetL (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v1L) (local.get $v1H)))
      (local.set $packetH (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v0L) (local.get $v0H)))
      (local.set $mul0L (v128.xor (local.get $mul0L) (i64x2.extmul_low_i32x4_u (local.get $packetL) (local.get $packetH))))
      (local.set $mul0H (v128.xor (local.get $mul0H) (i64x2.extmul_high_i32x4_u (local.get $packetL) (local.get $packetH))))
      (local.set $v0L (i64x2.add (local.get $v0L) (local.get $mul1L)))
      (local.set $v0H (i64x2.add (local.get $v0H) (local.get $mul1H)))
      (local.set $packetL (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v0L) (local.get $v0H)))
      (local.set $packetH (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v1L) (local.get $v1H)))
      (local.set $mul1L (v128.xor (local.get $mul1L) (i64x2.extmul_low_i32x4_u (local.get $packetL) (local.get $packetH))))
      (local.set $mul1H (v128.xor (local.get $mul1H) (i64x2.extmul_high_i32x4_u (local.get $packetL) (local.get $packetH))))
      ;; ZipperMerge: one byte permutation of each 128-bit half.
      (local.set $v0L (i64x2.add (local.get $v0L)
        (i8x16.shuffle 3 12 2 5 14 1 15 0 11 4 10 13 9 6 8 7 (local.get $v1L) (local.get $v1L))))
      (local.set $v0H (i64x2.add (local.get $v0H)
        (i8x16.shuffle 3 12 2 5 14 1 15 0 11 4 10 13 9 6 8 7 (local.get $v1H) (local.get $v1H))))
      (local.set $v1L (i64x2.add (local.get $v1L)
        (i8x16.shuffle 3 12 2 5 14 1 15 0 11 4 10 13 9 6 8 7 (local.get $v0L) (local.get $v0L))))
      (local.set $v1H (i64x2.add (local.get $v1H)
        (i8x16.shuffle 3 12 2 5 14 1 15 0 11 4 10 13 9 6 8 7 (local.get $v0H) (local.get $v0H))))
      (br_if $update (i32.or
        (i32.lt_u (local.get $at) (local.get $packetsEnd))
        (i32.and (local.get $final) (i32.lt_u (local.get $permutations) (i32.const 4))))))
    (if (local.get $final)
      (then
        ;; The hash: lane 0 of v0 + mul0 + v1 + mul1.
        (i64.store (i32.const 0) (i64x2.extract_lane 0
          (i64x2.add (i64x2.add (local.get $v0L) (local.get $mul0L)) (i64x2.add (local.get $v1L) (local.get $mul1L)))))
        (return)))
    (global.set $v0L (local.get $v0L)) (global.set $v0H (local.get $v0H))
    (global.set $v1L (local.get $v1L)) (global.set $v1H (local.get $v1H))
    (global.set $mul0L (local.get $mul0L)) (global.set $mul0H (local.get $mul0H))
    (global.set $mul1L (local.get $mul1L)) (global.set $mul1H (local.get $mul1H)))

  ;; Absorbs `length` bytes (a multiple of 32) at INPUT into the state.
  (func (export "absorb") (param $length i32)
    (call $run (local.get $length) (i32.const 0)))

  ;; Absorbs the last `length` bytes at INPUT and stores the hash at 0.
  (func (export "finish") (param $length i32)
    (call $run (local.get $length) (i32.const 1)))

  ;; The hash of the `length` bytes at INPUT (at most one window), stored at 0.
  (func (export "hash") (param $length i32)
    (call $reset)
    (call $run (local.get $length) (i32.const 1))))
