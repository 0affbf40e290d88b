#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write failure on an output (stdout closed by `head`, a full disk).
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var code: Int32

    /// The reader went away (`hostwatch scan … | head`): not worth an error message.
    public var isBrokenPipe: Bool { code == EPIPE }

    public var description: String { "cannot write to \(name): \(String(cString: strerror(code)))" }
}

/// Buffers bytes for a file descriptor and writes them in large blocks.
///
/// Hits are rare next to lines, so the buffer is flushed when full and when the caller asks,
/// never per hit.
public struct OutputBuffer: ~Copyable {
    public let fd: Int32
    public let name: String
    @usableFromInline var bytes: [UInt8]
    @usableFromInline let flushThreshold: Int

    /// A buffer that only collects (never flushes by itself): for hits the caller handles whole.
    public init(collecting name: String) {
        self.fd = -1
        self.name = name
        self.flushThreshold = .max
        bytes = []
    }

    public init(fd: Int32, name: String, capacity: Int = 1 << 16) {
        self.fd = fd
        self.name = name
        self.flushThreshold = capacity
        bytes = []
        bytes.reserveCapacity(capacity + 4096)
    }

    @inlinable
    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    @inlinable
    public mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    @inlinable
    public mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable
    public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Writes the buffer out if it has grown past its threshold.
    @inlinable
    public mutating func flushIfFull() throws(OutputError) {
        if bytes.count >= flushThreshold { try flush() }
    }

    /// Writes everything buffered, retrying short writes and `EINTR`.
    public mutating func flush() throws(OutputError) {
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
        if failure != 0 { throw OutputError(name: name, code: failure) }
    }
}
