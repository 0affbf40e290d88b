import Glibc

/// Why an input could not be read to its end.
///
/// Every case names the input's path (`-` is standard input), so ``description`` is a complete
/// one-line message for an operator: which file, and what went wrong.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `open(2)` failed; the value is its `errno`.
    case cannotOpen(path: String, errno: Int32)
    /// `read(2)` (or `fstat(2)`) failed; the value is its `errno`.
    case readFailed(path: String, errno: Int32)
    /// The path names a directory.
    case isDirectory(path: String)
    /// The gzip data ended before the end of a member (its trailer): a truncated file, or one that is
    /// still being written. Everything that could be decoded before the cut was returned first.
    case truncatedGzip(path: String)
    /// zlib rejected the data (bad header, bad block, CRC or length mismatch); `message` is zlib's.
    case corruptGzip(path: String, message: String)
    /// The decompressed stream grew past `limit` bytes (a gzip bomb, or a cap set too low).
    /// The first `limit` bytes were returned.
    case decompressedSizeLimit(path: String, limit: Int64)

    /// The path of the input the error is about.
    public var path: String {
        switch self {
        case .cannotOpen(let path, _), .readFailed(let path, _), .isDirectory(let path),
            .truncatedGzip(let path), .corruptGzip(let path, _), .decompressedSizeLimit(let path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            return "cannot open \(Self.display(path)): \(Self.reason(code))"
        case .readFailed(let path, let code):
            return "cannot read \(Self.display(path)): \(Self.reason(code))"
        case .isDirectory(let path):
            return "cannot read \(Self.display(path)): is a directory"
        case .truncatedGzip(let path):
            return "cannot read \(Self.display(path)): gzip data ends early (truncated, or still being written)"
        case .corruptGzip(let path, let message):
            return "cannot read \(Self.display(path)): corrupt gzip data (\(message))"
        case .decompressedSizeLimit(let path, let limit):
            return "cannot read \(Self.display(path)): decompressed data exceeds the limit of \(limit) bytes"
        }
    }

    static func display(_ path: String) -> String {
        path == "-" ? "standard input" : path
    }

    static func reason(_ code: Int32) -> String {
        // glibc's strerror returns a pointer into a constant table for every known errno.
        guard let text = strerror(code) else { return "error \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
