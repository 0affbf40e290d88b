import Glibc

/// Something that hands out the bytes of one input, front to back: a file, a pipe, a
/// decompressor.
///
/// Conforming types may be non-copyable (they usually own a file descriptor or C state), so the
/// protocol suppresses `Copyable`.
public protocol ByteSource: ~Copyable {
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many were written.
    ///
    /// Returns `0` only at the end of the input (never for an empty `buffer` unless at the end;
    /// callers pass a non-empty buffer). A short read is not the end.
    ///
    /// - Throws: ``InputError`` when the input cannot be read further.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// The bytes of a file descriptor, read with `read(2)`.
///
/// A non-copyable struct rather than a class: the descriptor has exactly one owner, it is closed
/// exactly once (in `deinit`, when the owner goes away), it cannot be closed while a copy still uses
/// it, and there is no reference counting. Ownership can still move (into a ``GzipByteSource``, a
/// ``LineReader``, another task), which is why the type is `Sendable`.
public struct FileByteSource: ~Copyable, ByteSource, Sendable {
    /// The path the descriptor was opened from (`-` for standard input); used in error messages.
    public let path: String
    /// The file descriptor.
    public let descriptor: Int32
    @usableFromInline
    let closesDescriptor: Bool

    /// Opens `path` for reading (`O_RDONLY | O_CLOEXEC`); `-` means standard input (descriptor 0,
    /// which is not closed at the end).
    ///
    /// - Throws: ``InputError/cannotOpen(path:errno:)``, or ``InputError/isDirectory(path:)``.
    public init(path: String) throws(InputError) {
        if path == "-" {
            self.init(descriptor: 0, path: path, closeOnDeinit: false)
            return
        }
        var fd: Int32
        repeat {
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .isDirectory(path: path)
        }
        self.init(descriptor: fd, path: path, closeOnDeinit: true)
    }

    /// Wraps a descriptor that is already open (a pipe, a socket, standard input).
    ///
    /// - Parameters:
    ///   - descriptor: the descriptor to read.
    ///   - path: a name for error messages.
    ///   - closeOnDeinit: whether this source owns the descriptor and closes it at the end.
    public init(descriptor: Int32, path: String, closeOnDeinit: Bool) {
        self.descriptor = descriptor
        self.path = path
        self.closesDescriptor = closeOnDeinit
    }

    deinit {
        if closesDescriptor {
            close(descriptor)
        }
    }

    /// `read(2)`, retried on `EINTR`.
    ///
    /// - Throws: ``InputError/readFailed(path:errno:)`` (or ``InputError/isDirectory(path:)`` for
    ///   `EISDIR`).
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(descriptor, base, buffer.count)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            if code == EISDIR { throw .isDirectory(path: path) }
            throw .readFailed(path: path, errno: code)
        }
    }
}

/// Hands out a few bytes that were already read (at most two: the gzip magic probe), then the
/// rest of `upstream`.
@usableFromInline
struct PrefixedByteSource<Upstream: ByteSource & ~Copyable>: ~Copyable, ByteSource {
    var upstream: Upstream
    var prefix: (UInt8, UInt8)
    var prefixStart: Int
    let prefixCount: Int

    init(upstream: consuming Upstream, prefix: (UInt8, UInt8), count: Int) {
        precondition(count >= 0 && count <= 2)
        self.upstream = upstream
        self.prefix = prefix
        self.prefixStart = 0
        self.prefixCount = count
    }

    @usableFromInline
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if prefixStart < prefixCount, buffer.count > 0 {
            let n = min(buffer.count, prefixCount - prefixStart)
            withUnsafeBytes(of: prefix) { bytes in
                buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + prefixStart, byteCount: n)
            }
            prefixStart += n
            return n
        }
        return try upstream.read(into: buffer)
    }
}

extension PrefixedByteSource: Sendable where Upstream: Sendable & ~Copyable {}
