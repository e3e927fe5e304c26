/// A minimal Protocol Buffers wire-format encoder (proto3), enough for the TensorFlow `Event` and
/// `Summary` messages that TensorBoard reads.
///
/// Hand-written instead of depending on swift-protobuf: TensorBoard needs five small messages, all
/// write-only, and the generated code plus its runtime would add a large dependency and build time
/// for what is a few dozen lines of varints and length prefixes. Field numbers follow
/// tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
///
/// ```swift
/// var message = ProtobufEncoder()
/// message.double(1, 1_700_000_000.5)   // Event.wall_time
/// message.int64(2, 3)                  // Event.step
/// let bytes = message.bytes
/// ```
public struct ProtobufEncoder: Sendable {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// An encoder with no bytes yet.
    public init() {}

    private enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    private mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `int64`/`int32`/enum field (skipped when zero, as proto3 does).
    public mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `bool` field (skipped when false).
    public mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        key(field, .varint)
        varint(1)
    }

    /// A `double` field (skipped when +0).
    public mutating func double(_ field: Int, _ value: Double) {
        guard value.bitPattern != 0 else { return }
        key(field, .fixed64)
        littleEndian(value.bitPattern)
    }

    /// A `float` field (skipped when +0).
    public mutating func float(_ field: Int, _ value: Float) {
        guard value.bitPattern != 0 else { return }
        key(field, .fixed32)
        littleEndian(value.bitPattern)
    }

    /// A `bytes` field (skipped when empty).
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// An element of a `repeated bytes`/`repeated string` field: written even when empty.
    public mutating func repeatedBytesElement(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field (skipped when empty).
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// An embedded message field, written even when the message is empty (presence matters).
    public mutating func message(_ field: Int, _ value: ProtobufEncoder) {
        key(field, .lengthDelimited)
        varint(UInt64(value.bytes.count))
        bytes.append(contentsOf: value.bytes)
    }

    /// A packed `repeated double` field (skipped when empty).
    public mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        key(field, .lengthDelimited)
        varint(UInt64(values.count * 8))
        for v in values { littleEndian(v.bitPattern) }
    }

    /// A packed `repeated float` field (skipped when empty).
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        guard !values.isEmpty else { return }
        key(field, .lengthDelimited)
        varint(UInt64(values.count * 4))
        for v in values { littleEndian(v.bitPattern) }
    }
}
