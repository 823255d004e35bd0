;; The tags of a raw snappy block (snappy-decoder.ts checks the length varint and moves bytes in and out).
;;
;; decode(pos, srcEnd, out, size): the stream's bytes lie at [0, srcEnd) of memory, its tags from `pos`;
;; the output goes to [out, out + size). The caller leaves SLACK (64) writable bytes after srcEnd and
;; after out + size: literals and copies move whole 16-byte vectors (or 8-byte words), whose bytes
;; past what a tag yields are garbage that later tags overwrite. Every read a tag asks for is checked
;; against srcEnd, every write against size, every copy against the output so far; nothing outside
;; [0, out + size + SLACK) is touched.
;;
;; Returns the bytes produced (the caller compares them with size), or a negative error code with
;; its figures in the globals errA and errB (see snappy-decoder.ts):
;;   -1 literal length runs past the end (errA = pos)       -2 literal of 2 GiB or more (errA = pos)
;;   -3 literal runs past the end (errA = len, errB = pos)  -4 literal overflows (errA = len, errB = outPos)
;;   -5 copy runs past the end (errA = tag position)        -6 bad offset (errA = offset, errB = outPos)
;;   -7 copy overflows (errA = len, errB = outPos)
;; Positions are offsets in the stream (as memory holds it from 0) and in the output.
(module
  (memory (export "memory") 1)
  (global $errA (export "errA") (mut i32) (i32.const 0))
  (global $errB (export "errB") (mut i32) (i32.const 0))

  (func $fail (param $code i32) (param $a i32) (param $b i32) (result i32)
    (global.set $errA (local.get $a))
    (global.set $errB (local.get $b))
    (local.get $code))

  (func (export "decode") (param $pos i32) (param $srcEnd i32) (param $out i32) (param $size i32) (result i32)
    (local $op i32) (local $outEnd i32) (local $tag i32) (local $len i32) (local $offset i32)
    (local $extra i32) (local $from i32) (local $end i32)
    (local.set $op (local.get $out))
    (local.set $outEnd (i32.add (local.get $out) (local.get $size)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pos) (local.get $srcEnd)))
        (local.set $tag (i32.load8_u (local.get $pos)))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $tag) (i32.const 3)))
          (then
            ;; A literal: its length - 1 in the tag, or in 1-4 bytes after it (tags 60-63).
            (local.set $len (i32.add (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 1)))
            (if (i32.gt_u (local.get $len) (i32.const 60))
              (then
                (local.set $extra (i32.sub (local.get $len) (i32.const 60)))
                (if (i32.gt_u (local.get $extra) (i32.sub (local.get $srcEnd) (local.get $pos)))
                  (then (return (call $fail (i32.const -1) (local.get $pos) (i32.const 0)))))
                ;; Four bytes read (the slack makes it safe), the ones beyond `extra` masked off.
                (local.set $len
                  (i32.add
                    (i32.and (i32.load (local.get $pos))
                      (i32.shr_u (i32.const -1) (i32.sub (i32.const 32) (i32.shl (local.get $extra) (i32.const 3)))))
                    (i32.const 1)))
                (local.set $pos (i32.add (local.get $pos) (local.get $extra)))
                (if (i32.le_s (local.get $len) (i32.const 0))
                  (then (return (call $fail (i32.const -2) (local.get $pos) (i32.const 0)))))))
            (if (i32.gt_u (local.get $len) (i32.sub (local.get $srcEnd) (local.get $pos)))
              (then (return (call $fail (i32.const -3) (local.get $len) (local.get $pos)))))
            (if (i32.gt_u (local.get $len) (i32.sub (local.get $outEnd) (local.get $op)))
              (then (return (call $fail (i32.const -4) (local.get $len) (i32.sub (local.get $op) (local.get $out))))))
            (if (i32.le_u (local.get $len) (i32.const 16))
              (then (v128.store (local.get $op) (v128.load (local.get $pos))))
              (else
                (if (i32.le_u (local.get $len) (i32.const 32))
                  (then
                    (v128.store (local.get $op) (v128.load (local.get $pos)))
                    (v128.store offset=16 (local.get $op) (v128.load offset=16 (local.get $pos))))
                  (else (memory.copy (local.get $op) (local.get $pos) (local.get $len))))))
            (local.set $pos (i32.add (local.get $pos) (local.get $len)))
            (local.set $op (i32.add (local.get $op) (local.get $len)))
            (br $next)))
        ;; A copy: its length and offset, in the tag and 1, 2 or 4 bytes after it.
        (if (i32.eq (i32.and (local.get $tag) (i32.const 3)) (i32.const 1))
          (then
            (if (i32.ge_u (local.get $pos) (local.get $srcEnd))
              (then (return (call $fail (i32.const -5) (i32.sub (local.get $pos) (i32.const 1)) (i32.const 0)))))
            (local.set $len (i32.add (i32.and (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 7)) (i32.const 4)))
            (local.set $offset
              (i32.or (i32.shl (i32.shr_u (local.get $tag) (i32.const 5)) (i32.const 8)) (i32.load8_u (local.get $pos))))
            (local.set $pos (i32.add (local.get $pos) (i32.const 1))))
          (else
            (local.set $len (i32.add (i32.shr_u (local.get $tag) (i32.const 2)) (i32.const 1)))
            (if (i32.eq (i32.and (local.get $tag) (i32.const 3)) (i32.const 2))
              (then
                (if (i32.gt_u (i32.const 2) (i32.sub (local.get $srcEnd) (local.get $pos)))
                  (then (return (call $fail (i32.const -5) (i32.sub (local.get $pos) (i32.const 1)) (i32.const 0)))))
                (local.set $offset (i32.load16_u (local.get $pos)))
                (local.set $pos (i32.add (local.get $pos) (i32.const 2))))
              (else
                (if (i32.gt_u (i32.const 4) (i32.sub (local.get $srcEnd) (local.get $pos)))
                  (then (return (call $fail (i32.const -5) (i32.sub (local.get $pos) (i32.const 1)) (i32.const 0)))))
                (local.set $offset (i32.load (local.get $pos)))
                (local.set $pos (i32.add (local.get $pos) (i32.const 4)))))))
        ;; 1 <= offset <= bytes produced (unsigned: an offset of 0 or from 2^31 on wraps above them).
        (if (i32.ge_u (i32.sub (local.get $offset) (i32.const 1)) (i32.sub (local.get $op) (local.get $out)))
          (then (return (call $fail (i32.const -6) (local.get $offset) (i32.sub (local.get $op) (local.get $out))))))
        (if (i32.gt_u (local.get $len) (i32.sub (local.get $outEnd) (local.get $op)))
          (then (return (call $fail (i32.const -7) (local.get $len) (i32.sub (local.get $op) (local.get $out))))))
        (local.set $from (i32.sub (local.get $op) (local.get $offset)))
        (local.set $end (i32.add (local.get $op) (local.get $len)))
        (if (i32.ge_u (local.get $offset) (i32.const 16))
          (then
            ;; Each vector read lies at least 16 bytes before what it writes: final by then.
            (loop $vectors
              (v128.store (local.get $op) (v128.load (local.get $from)))
              (local.set $op (i32.add (local.get $op) (i32.const 16)))
              (local.set $from (i32.add (local.get $from) (i32.const 16)))
              (br_if $vectors (i32.lt_u (local.get $op) (local.get $end)))))
          (else
            (if (i32.ge_u (local.get $offset) (i32.const 8))
              (then
                (loop $words
                  (i64.store (local.get $op) (i64.load (local.get $from)))
                  (local.set $op (i32.add (local.get $op) (i32.const 8)))
                  (local.set $from (i32.add (local.get $from) (i32.const 8)))
                  (br_if $words (i32.lt_u (local.get $op) (local.get $end)))))
              (else
                ;; Byte by byte, so that a copy overlapping its own output repeats the pattern.
                (loop $bytes
                  (i32.store8 (local.get $op) (i32.load8_u (local.get $from)))
                  (local.set $op (i32.add (local.get $op) (i32.const 1)))
                  (local.set $from (i32.add (local.get $from) (i32.const 1)))
                  (br_if $bytes (i32.lt_u (local.get $op) (local.get $end))))))))
        (local.set $op (local.get $end))
        (br $next)))
    (i32.sub (local.get $op) (local.get $out))))
