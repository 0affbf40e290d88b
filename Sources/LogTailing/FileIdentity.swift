import Glibc

/// Which file on disk: device and inode number.
///
/// Stable across renames, so a rotated file is still recognised; but an inode number is reused
/// once a deleted file's last descriptor closes, so an identity is always paired with a
/// ``FileFingerprint`` of the content before a file is taken for one seen earlier.
public struct FileIdentity: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public var description: String { "\(device):\(inode)" }
}

/// What `stat(2)` says about a file, in the units the tailer needs.
public struct FileStatus: Sendable, Equatable {
    public var identity: FileIdentity
    public var size: Int64
    public var isRegular: Bool
    /// Last data modification (ms since 1970); a rename does not change it.
    public var modifiedMillis: Int64

    init(_ info: stat) {
        identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        size = Int64(info.st_size)
        isRegular = (info.st_mode & S_IFMT) == S_IFREG
        modifiedMillis = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }

    /// `stat(2)` (symlinks followed), or the `errno`.
    public static func of(path: String) -> Result<FileStatus, Errno> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(Errno(errno)) }
        return .success(FileStatus(info))
    }

    /// `fstat(2)`, or the `errno`.
    public static func of(descriptor: Int32) -> Result<FileStatus, Errno> {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(Errno(errno)) }
        return .success(FileStatus(info))
    }
}

/// An `errno` value that reads as its message.
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int32
    public init(_ code: Int32) { self.code = code }
    public var description: String { InputError.reason(code) }
}

/// A hash of a file's first bytes (decompressed for gzip), at most ``window`` of them.
///
/// A file shorter than the window is fingerprinted over what it has; ``length`` says how many
/// bytes were hashed, so the same file, grown, still matches (its first `length` bytes hash the
/// same) and the fingerprint is then extended.
public struct FileFingerprint: Hashable, Sendable {
    /// The most bytes hashed: 1 KiB, as Filebeat's and Vector's fingerprints.
    public static let window = 1024

    public var length: Int
    public var hash: UInt64

    public init(length: Int, hash: UInt64) {
        self.length = length
        self.hash = hash
    }

    /// The fingerprint of `head` (only its first ``window`` bytes count).
    public init(of head: UnsafeRawBufferPointer) {
        let count = min(head.count, Self.window)
        self.init(length: count, hash: Self.fnv1a(UnsafeRawBufferPointer(rebasing: head[0..<count])))
    }

    public init(of head: [UInt8]) {
        self = head.withUnsafeBytes { FileFingerprint(of: $0) }
    }

    /// Whether a file starting with `head` is the file this fingerprint was taken of: its first
    /// ``length`` bytes hash the same. A zero-length fingerprint matches nothing: an empty file
    /// says nothing about which file it is.
    public func matches(head: UnsafeRawBufferPointer) -> Bool {
        guard length > 0, head.count >= length else { return false }
        return Self.fnv1a(UnsafeRawBufferPointer(rebasing: head[0..<length])) == hash
    }

    public func matches(head: [UInt8]) -> Bool {
        head.withUnsafeBytes { matches(head: $0) }
    }

    /// FNV-1a, 64 bit: plenty for telling a kilobyte of log lines apart, and no tables.
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Reading the first bytes of a file.
public enum FileHead {
    /// Up to ``FileFingerprint/window`` bytes from the start of an open plain file (`pread`, so
    /// the descriptor's position is untouched).
    public static func read(descriptor: Int32) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: FileFingerprint.window)
        var count = 0
        head.withUnsafeMutableBytes { raw in
            while count < raw.count {
                let n = pread(descriptor, raw.baseAddress! + count, raw.count - count, off_t(count))
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                count += n
            }
        }
        head.removeSubrange(count...)
        return head
    }

    /// Up to ``FileFingerprint/window`` bytes of a file's content, decompressed if it is gzip.
    ///
    /// - Returns: the bytes and whether the file is gzip; a gzip file too short or broken to give
    ///   its first bytes gives the bytes it could.
    public static func read(path: String) throws(InputError) -> (head: [UInt8], isGzip: Bool) {
        var input = try LogInput.open(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileFingerprint.window, alignment: 1)
        defer { buffer.deallocate() }
        var count = 0
        while count < buffer.count {
            let n: Int
            do {
                n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            } catch {
                if input.isGzip { break }
                throw error
            }
            if n == 0 { break }
            count += n
        }
        let head = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        return (head, input.isGzip)
    }
}
