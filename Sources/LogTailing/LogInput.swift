/// One log input opened for reading: a file or standard input, plain or gzip, told apart by its
/// first two bytes (`1f 8b`) rather than by its name.
///
/// Detection never seeks (standard input and pipes cannot): the probe bytes already read are
/// handed on, as a prefix, to the source that reads the rest.
///
/// ```swift
/// var reader = LineReader(source: try LogInput.open(path: "/var/log/squid/access.log.2.gz"))
/// try reader.forEachLine { line, offset in … }
/// ```
public struct LogInput: ~Copyable, ByteSource, Sendable {
    /// The path it was opened from (`-` for standard input).
    public let path: String
    /// Whether the input is gzip-compressed (and so is inflated while read).
    public let isGzip: Bool
    var storage: Storage

    enum Storage: ~Copyable, Sendable {
        case plain(PrefixedByteSource<FileByteSource>)
        case gzip(GzipByteSource<FileByteSource>)

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            // A non-copyable payload cannot be mutated in place: move it out, use it, put it back.
            switch consume self {
            case .plain(var source):
                do {
                    let n = try source.read(into: buffer)
                    self = .plain(source)
                    return n
                } catch {
                    self = .plain(source)
                    throw error
                }
            case .gzip(var source):
                do {
                    let n = try source.read(into: buffer)
                    self = .gzip(source)
                    return n
                } catch {
                    self = .gzip(source)
                    throw error
                }
            }
        }
    }

    /// Opens `path` (`-` is standard input) and detects gzip by its magic bytes.
    ///
    /// - Parameter maxDecompressedBytes: the cap on decompressed bytes if the input is gzip.
    /// - Throws: ``InputError/cannotOpen(path:errno:)``, ``InputError/isDirectory(path:)``, or
    ///   ``InputError/readFailed(path:errno:)`` from reading the first bytes.
    public static func open(
        path: String,
        maxDecompressedBytes: Int64 = GzipByteSource<FileByteSource>.defaultMaxDecompressedBytes
    ) throws(InputError) -> LogInput {
        try LogInput(source: FileByteSource(path: path), maxDecompressedBytes: maxDecompressedBytes)
    }

    /// Detects gzip on an already opened source (a pipe, standard input).
    public init(
        source: consuming FileByteSource,
        maxDecompressedBytes: Int64 = GzipByteSource<FileByteSource>.defaultMaxDecompressedBytes
    ) throws(InputError) {
        let path = source.path
        // Read until two bytes are in or the input ends: a pipe may deliver one byte at a time.
        var probe: (UInt8, UInt8) = (0, 0)
        var count = 0
        while count < 2 {
            let n = try withUnsafeMutableBytes(of: &probe) { (bytes) throws(InputError) -> Int in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[count...]))
            }
            if n == 0 { break }
            count += n
        }
        self.path = path
        if count == 2, probe.0 == 0x1f, probe.1 == 0x8b {
            self.isGzip = true
            self.storage = .gzip(
                GzipByteSource(
                    wrapping: source,
                    path: path,
                    prefix: [probe.0, probe.1],
                    maxDecompressedBytes: maxDecompressedBytes
                )
            )
        } else {
            self.isGzip = false
            self.storage = .plain(PrefixedByteSource(upstream: source, prefix: probe, count: count))
        }
    }

    /// Wraps a source known to be plain text (a live log file positioned at a checkpoint, where
    /// the bytes at the current position say nothing about the format), without probing it.
    public init(plain source: consuming FileByteSource) {
        self.path = source.path
        self.isGzip = false
        self.storage = .plain(PrefixedByteSource(upstream: source, prefix: (0, 0), count: 0))
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        try storage.read(into: buffer)
    }
}
