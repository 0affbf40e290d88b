import CZlib

/// The decompressed bytes of a gzip stream read from `Upstream`, inflated by zlib as they are
/// read.
///
/// Memory stays fixed: one input buffer (256 KiB by default) and zlib's 32 KiB window, never the
/// whole file. What it handles:
///
/// - **Multi-member files** (several `gzip -c` outputs concatenated, as `logrotate` and `cat`
///   produce): after the end of a member, if more input follows, the stream is reset and the next
///   member is decoded as a continuation of the same byte stream.
/// - **Truncated files** (input ends inside a member, before its trailer was verified): every byte
///   zlib could decode is returned first, then ``InputError/truncatedGzip(path:)`` is thrown.
/// - **Corrupt data** (`Z_DATA_ERROR`, including a CRC or length mismatch in a trailer):
///   ``InputError/corruptGzip(path:message:)`` with zlib's message.
/// - **Gzip bombs**: at most `maxDecompressedBytes` bytes are returned; the next read throws
///   ``InputError/decompressedSizeLimit(path:limit:)``.
///
/// Non-copyable for the same reason as ``FileByteSource``: it owns C state (`z_stream`, whose
/// address zlib checks on every call, so it lives in its own allocation) and a buffer, and frees
/// them exactly once in `deinit`.
public struct GzipByteSource<Upstream: ByteSource & ~Copyable>: ~Copyable, ByteSource {
    /// The default cap on decompressed bytes: 16 GiB.
    public static var defaultMaxDecompressedBytes: Int64 { 16 << 30 }
    /// The default size of the compressed-input buffer: 256 KiB.
    public static var defaultInputBufferSize: Int { 256 << 10 }

    /// The path for error messages.
    public let path: String
    /// The cap on decompressed bytes.
    public let maxDecompressedBytes: Int64
    /// Decompressed bytes returned so far.
    public private(set) var decompressedBytes: Int64 = 0
    /// Compressed bytes read from upstream so far.
    public private(set) var compressedBytes: Int64 = 0
    /// Number of gzip members whose trailer was verified.
    public private(set) var membersCompleted: Int = 0

    var upstream: Upstream
    let stream: UnsafeMutablePointer<z_stream>
    let input: UnsafeMutableRawBufferPointer
    var upstreamAtEnd = false
    /// The last `inflate` returned `Z_STREAM_END` and the stream was not reset yet.
    var memberEnded = false
    var finished = false
    var pendingError: InputError?

    /// - Parameters:
    ///   - upstream: the compressed bytes.
    ///   - path: the name used in error messages.
    ///   - prefix: compressed bytes already read from `upstream` (for example the two magic bytes
    ///     read to detect gzip); they are decoded before anything else. At most `inputBufferSize`.
    ///   - inputBufferSize: the size of the compressed-input buffer.
    ///   - maxDecompressedBytes: the cap on decompressed bytes.
    public init(
        wrapping upstream: consuming Upstream,
        path: String,
        prefix: [UInt8] = [],
        inputBufferSize: Int = Self.defaultInputBufferSize,
        maxDecompressedBytes: Int64 = Self.defaultMaxDecompressedBytes
    ) {
        precondition(inputBufferSize > 0 && inputBufferSize <= Int(UInt32.max))
        precondition(prefix.count <= inputBufferSize, "prefix larger than the input buffer")
        precondition(maxDecompressedBytes >= 0)
        self.upstream = upstream
        self.path = path
        self.maxDecompressedBytes = maxDecompressedBytes
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputBufferSize, alignment: 16)
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        // 15 + 16: a 32 KiB window, and expect a gzip (not zlib) header and trailer.
        let rc = czlib_inflateInit2(stream, 15 + 16)
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
        if prefix.count > 0 {
            prefix.withUnsafeBytes { input.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            compressedBytes = Int64(prefix.count)
        }
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(prefix.count)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Inflates into `buffer`; see the type's documentation for what is thrown when.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let outBase = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            if let error = pendingError { throw error }
            if finished { return 0 }

            if stream.pointee.avail_in == 0, !upstreamAtEnd {
                let n = try upstream.read(into: input)
                if n == 0 {
                    upstreamAtEnd = true
                } else {
                    compressedBytes += Int64(n)
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = UInt32(n)
                }
            }

            if memberEnded {
                if stream.pointee.avail_in == 0 {
                    if upstreamAtEnd {
                        finished = true
                        return 0
                    }
                    continue
                }
                // Another member follows: decode it as the continuation of the same stream.
                inflateReset(stream)
                memberEnded = false
            }

            // Ask for one byte more than the cap allows, to tell "exactly at the cap" from "beyond".
            let allowed = maxDecompressedBytes - decompressedBytes
            let room = Int(min(Int64(min(buffer.count, Int(UInt32.max))), allowed + 1))
            stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(room)
            let rc = inflate(stream, Z_NO_FLUSH)
            let produced = room - Int(stream.pointee.avail_out)

            if Int64(produced) > allowed {
                pendingError = .decompressedSizeLimit(path: path, limit: maxDecompressedBytes)
                if allowed > 0 {
                    decompressedBytes += allowed
                    return Int(allowed)
                }
                continue
            }
            decompressedBytes += Int64(produced)

            switch rc {
            case Z_OK:
                if produced > 0 { return produced }
            case Z_STREAM_END:
                memberEnded = true
                membersCompleted += 1
                if produced > 0 { return produced }
            case Z_BUF_ERROR:
                // No progress possible: zlib needs more input (or more output room, which it has).
                if produced > 0 { return produced }
                if stream.pointee.avail_in == 0, upstreamAtEnd {
                    pendingError = .truncatedGzip(path: path)
                }
            case Z_DATA_ERROR, Z_NEED_DICT:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                pendingError = .corruptGzip(path: path, message: message)
                if produced > 0 { return produced }
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                pendingError = .corruptGzip(path: path, message: message)
                if produced > 0 { return produced }
            }
        }
    }
}

/// The raw pointers are owned by this one non-copyable value, so moving it to another task
/// moves the only access to them.
extension GzipByteSource: @unchecked Sendable where Upstream: Sendable & ~Copyable {}
