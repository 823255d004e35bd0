// Splits records into the transposed encoder's columns: the sequence of encoded tags and one data buffer per field path.

import { MAX_RECURSION_DEPTH, MAX_VARINT_INLINE, MessageId, Subtype, WireType } from './constants.js';
import { isProtoMessage, WireScanner } from './proto-scan.js';

/** Buffer kinds, in the order their buffers are written; the order groups similar data for the codec. */
export const BufferKind = { varint: 0, fixed32: 1, fixed64: 2, string: 3, nonProto: 4 } as const;
export const NUM_BUFFER_KINDS = 5;

/** A field path: a tag under a parent message id. Its own id names it as a parent of nested fields. */
export interface FieldNode {
  readonly parentId: number;
  readonly tag: number;
  readonly messageId: number;
  /** Index in `ColumnSet.tagParts` per subtype, -1 until that subtype occurs. */
  readonly tagIndexBySubtype: number[];
  buffer: ColumnBuffer | undefined;
}

/**
 * The data of one field path. Pieces are (record, start, end) triples in the order they were met;
 * the chunk stores them last piece first, because the decoder rebuilds records back to front.
 */
export interface ColumnBuffer {
  readonly node: FieldNode;
  readonly kind: number;
  readonly pieces: number[];
  size: number;
}

/** One distinct (field path, subtype) pair: a state of the future state machine. */
export interface EncodedTag {
  readonly node: FieldNode;
  readonly subtype: number;
}

/**
 * Everything the transposed encoder learns from the records: the distinct encoded tags, the
 * sequence of encoded tags over all records in order, and the buffers.
 */
export class ColumnSet {
  readonly encodedTags: EncodedTag[] = [];
  sequence = new Int32Array(256);
  sequenceLength = 0;
  readonly buffers: ColumnBuffer[][] = Array.from({ length: NUM_BUFFER_KINDS }, () => []);
  /** Sizes of non-proto records, in record order. */
  readonly nonProtoLengths: number[] = [];
  private readonly nodes = new Map<number, Map<number, FieldNode>>();
  private nextMessageId = MessageId.root + 1;

  constructor(readonly records: readonly Uint8Array[]) {
    for (let i = 0; i < records.length; i++) this.addRecord(i);
  }

  private node(parentId: number, tag: number): FieldNode {
    let children = this.nodes.get(parentId);
    if (children === undefined) {
      children = new Map();
      this.nodes.set(parentId, children);
    }
    let node = children.get(tag);
    if (node === undefined) {
      // Ids are handed out in order of first appearance; they break ties when buffers are sorted.
      node = { parentId, tag, messageId: this.nextMessageId++, tagIndexBySubtype: [], buffer: undefined };
      children.set(tag, node);
    }
    return node;
  }

  private tagIndex(node: FieldNode, subtype: number): number {
    const bySubtype = node.tagIndexBySubtype;
    while (bySubtype.length <= subtype) bySubtype.push(-1);
    let index = bySubtype[subtype]!;
    if (index === -1) {
      index = this.encodedTags.length;
      bySubtype[subtype] = index;
      this.encodedTags.push({ node, subtype });
    }
    return index;
  }

  private push(tagIndex: number): void {
    if (this.sequenceLength === this.sequence.length) {
      const grown = new Int32Array(this.sequence.length * 2);
      grown.set(this.sequence);
      this.sequence = grown;
    }
    this.sequence[this.sequenceLength++] = tagIndex;
  }

  private append(node: FieldNode, kind: number, record: number, start: number, end: number): void {
    let buffer = node.buffer;
    if (buffer === undefined) {
      buffer = { node, kind, pieces: [], size: 0 };
      node.buffer = buffer;
      this.buffers[kind]!.push(buffer);
    }
    buffer.pieces.push(record, start, end);
    buffer.size += end - start;
  }

  private addRecord(index: number): void {
    const record = this.records[index]!;
    if (isProtoMessage(record, 0, record.length)) {
      this.push(this.tagIndex(this.node(MessageId.startOfMessage, 0), Subtype.trivial));
      this.addMessage(index, record);
    } else {
      const node = this.node(MessageId.nonProto, 0);
      this.push(this.tagIndex(node, Subtype.trivial));
      this.append(node, BufferKind.nonProto, index, 0, record.length);
      this.nonProtoLengths.push(record.length);
    }
  }

  // Walks a record already known to be a canonical proto message, descending into length-delimited
  // fields that are themselves messages, without recursion.
  private addMessage(index: number, record: Uint8Array): void {
    const scanner = new WireScanner(record, 0, record.length);
    let parentId: number = MessageId.root;
    let limit = record.length;
    // Open submessages: end-of-submessage tag index, parent id and limit of the enclosing message.
    const submessages: number[] = [];
    const groups: number[] = [];
    for (;;) {
      while (scanner.pos < limit) {
        scanner.readVarint32(false);
        const tag = scanner.value;
        const node = this.node(parentId, tag);
        switch (tag & 7) {
          case WireType.varint: {
            const start = scanner.pos;
            const length = scanner.skipVarint64(false);
            const first = record[start]!;
            if (first <= MAX_VARINT_INLINE) {
              this.push(this.tagIndex(node, Subtype.varintInline0 + first));
            } else {
              this.push(this.tagIndex(node, Subtype.varint1 + length - 1));
              this.append(node, BufferKind.varint, index, start, start + length);
            }
            break;
          }
          case WireType.fixed32:
            this.push(this.tagIndex(node, Subtype.trivial));
            this.append(node, BufferKind.fixed32, index, scanner.pos, scanner.pos + 4);
            scanner.pos += 4;
            break;
          case WireType.fixed64:
            this.push(this.tagIndex(node, Subtype.trivial));
            this.append(node, BufferKind.fixed64, index, scanner.pos, scanner.pos + 8);
            scanner.pos += 8;
            break;
          case WireType.lengthDelimited: {
            const lengthStart = scanner.pos;
            scanner.readVarint32(false);
            const valueStart = scanner.pos;
            const valueEnd = valueStart + scanner.value;
            // Empty values stay strings: one state instead of a start and an end.
            if (
              valueEnd > valueStart &&
              submessages.length / 3 + groups.length < MAX_RECURSION_DEPTH &&
              isProtoMessage(record, valueStart, valueEnd)
            ) {
              this.push(this.tagIndex(node, Subtype.lengthDelimitedStartOfSubmessage));
              submessages.push(this.tagIndex(node, Subtype.lengthDelimitedEndOfSubmessage), parentId, limit);
              parentId = node.messageId;
              limit = valueEnd;
              break;
            }
            this.push(this.tagIndex(node, Subtype.lengthDelimitedString));
            this.append(node, BufferKind.string, index, lengthStart, valueEnd);
            scanner.pos = valueEnd;
            break;
          }
          case WireType.startGroup:
            this.push(this.tagIndex(node, Subtype.trivial));
            groups.push(parentId);
            parentId = node.messageId;
            break;
          default:
            // End of group: the node stays the one under the group, as upstream keys it.
            parentId = groups.pop()!;
            this.push(this.tagIndex(node, Subtype.trivial));
        }
      }
      if (submessages.length === 0) return;
      limit = submessages.pop()!;
      parentId = submessages.pop()!;
      this.push(submessages.pop()!);
    }
  }
}
