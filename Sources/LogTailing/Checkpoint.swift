import Glibc

/// Where reading stopped in one file: the offset of the first line whose hits are not yet known
/// to be written to every sink.
public struct CheckpointEntry: Equatable, Sendable {
    /// How the tailer held the file when the checkpoint was taken.
    public enum State: String, Sendable {
        /// Followed under its configured path.
        case live
        /// Renamed or deleted away from its path; read until it stops growing.
        case rotated
        /// Read once to its end: a gzip file, or the copy left behind by `copytruncate`.
        case once
        /// Read to its end and closed; kept so that the same content seen again (renamed, or
        /// compressed to `.gz`) is not read twice.
        case done
    }

    /// A random number given to the file's content when first seen: with ``offset`` it names each
    /// line for good (the `id` of a hit), whatever the file is called later.
    public var fileID: UInt64
    public var state: State
    public var identity: FileIdentity
    public var fingerprint: FileFingerprint
    public var offset: Int64
    /// Seconds since 1970 when the entry last changed state (to expire `done` entries).
    public var updatedAt: Int64
    /// The path it was found under (for messages, and to look for its rotated copies).
    public var path: String

    public init(
        fileID: UInt64, state: State, identity: FileIdentity, fingerprint: FileFingerprint, offset: Int64,
        updatedAt: Int64, path: String
    ) {
        self.fileID = fileID
        self.state = state
        self.identity = identity
        self.fingerprint = fingerprint
        self.offset = offset
        self.updatedAt = updatedAt
        self.path = path
    }
}

/// Where a sink's file ended when the checkpoint was taken: what it wrote after that may be
/// written again after a crash, and it can look there to skip it.
public struct SinkMark: Equatable, Sendable {
    public var name: String
    public var identity: FileIdentity
    public var size: Int64

    public init(name: String, identity: FileIdentity, size: Int64) {
        self.name = name
        self.identity = identity
        self.size = size
    }
}

/// Everything the daemon needs to resume: one entry per file, one mark per file sink.
public struct Checkpoint: Equatable, Sendable {
    public var files: [CheckpointEntry]
    public var sinks: [SinkMark]

    public init(files: [CheckpointEntry] = [], sinks: [SinkMark] = []) {
        self.files = files
        self.sinks = sinks
    }
}

/// Why a checkpoint could not be saved or loaded.
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The checkpoint file in the state directory, written so that a crash at any moment leaves a
/// complete old or new version.
///
/// Saving writes `.checkpoints.tmp`, `fsync`s it, moves the current file to `checkpoints.prev`,
/// renames the new one into place and `fsync`s the directory. An `fsync` error fails the save
/// (it is never retried and trusted: after a failed `fsync` the kernel may have dropped the
/// dirty pages). Loading takes `checkpoints`, or `checkpoints.prev` when the current file is
/// missing or damaged (zero-length, cut short, garbage): the text format ends with a line that
/// counts the entries, so a cut-short file is never mistaken for a complete one.
public struct CheckpointStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var path: String { directory + "/checkpoints" }
    public var previousPath: String { directory + "/checkpoints.prev" }
    var temporaryPath: String { directory + "/.checkpoints.tmp" }

    /// The outcome of ``load()``.
    public enum Loaded: Equatable, Sendable {
        /// Neither file exists: the very first start.
        case none
        /// `source` is the file read; `warning` says why the current one was not.
        case loaded(Checkpoint, source: String, warning: String?)
    }

    /// Reads the checkpoint, falling back to the previous version.
    ///
    /// - Throws: when files exist but neither can be read: starting from scratch or from the end
    ///   would silently re-read or skip data, so the operator has to decide.
    public func load() throws(CheckpointError) -> Loaded {
        let current = Self.read(path)
        if case .success(let checkpoint) = current { return .loaded(checkpoint, source: path, warning: nil) }
        let previous = Self.read(previousPath)
        switch (current, previous) {
        case (.failure(.missing), .failure(.missing)):
            return .none
        case (.failure(let problem), .success(let checkpoint)):
            return .loaded(
                checkpoint, source: previousPath,
                warning: "\(path): \(problem); resuming from the previous checkpoint \(previousPath)")
        case (.failure(let problem), .failure(let previousProblem)):
            throw CheckpointError(
                path: path,
                message: "\(problem), and \(previousPath): \(previousProblem). Move both away to start afresh "
                    + "(files are then read from their start or end as start_at says)")
        case (.success, _):
            fatalError("unreachable")
        }
    }

    /// Writes `checkpoint` atomically (see the type's documentation).
    public func save(_ checkpoint: Checkpoint) throws(CheckpointError) {
        let text = Self.encode(checkpoint)
        let temporary = temporaryPath
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CheckpointError(path: temporary, message: "cannot create: \(Errno(errno))") }
        var failure: String?
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var written = 0
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write: \(Errno(errno))"
                    return
                }
                written += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync failed: \(Errno(errno))" }
        close(fd)
        if let failure {
            unlink(temporary)
            throw CheckpointError(path: temporary, message: failure)
        }
        if access(path, F_OK) == 0, rename(path, previousPath) != 0 {
            throw CheckpointError(path: path, message: "cannot keep the previous version: \(Errno(errno))")
        }
        guard rename(temporary, path) == 0 else {
            throw CheckpointError(path: path, message: "cannot rename the new version into place: \(Errno(errno))")
        }
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw CheckpointError(path: directory, message: "cannot open: \(Errno(errno))") }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw CheckpointError(path: directory, message: "fsync failed: \(Errno(errno))") }
    }

    // MARK: - The text format

    static let header = "hostwatch checkpoints 1"

    /// One line per entry, fields separated by single spaces, the path last and percent-encoded:
    ///
    ///     hostwatch checkpoints 1
    ///     file <id hex> <state> <dev> <inode> <fingerprint length> <fingerprint hex> <offset> <updated> <path>
    ///     sink <name> <dev> <inode> <size>
    ///     end <number of file and sink lines>
    public static func encode(_ checkpoint: Checkpoint) -> String {
        var text = header + "\n"
        for entry in checkpoint.files {
            text += "file \(hex(entry.fileID)) \(entry.state.rawValue) \(entry.identity.device) \(entry.identity.inode) "
            text += "\(entry.fingerprint.length) \(hex(entry.fingerprint.hash)) \(entry.offset) \(entry.updatedAt) "
            text += percentEncode(entry.path) + "\n"
        }
        for mark in checkpoint.sinks {
            text += "sink \(percentEncode(mark.name)) \(mark.identity.device) \(mark.identity.inode) \(mark.size)\n"
        }
        text += "end \(checkpoint.files.count + checkpoint.sinks.count)\n"
        return text
    }

    enum ReadProblem: Error, Equatable, CustomStringConvertible {
        case missing
        case unreadable(String)
        case damaged(String)

        var description: String {
            switch self {
            case .missing: "missing"
            case .unreadable(let why): "cannot read: \(why)"
            case .damaged(let why): "damaged: \(why)"
            }
        }
    }

    static func read(_ path: String) -> Result<Checkpoint, ReadProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            return .failure(errno == ENOENT ? .missing : .unreadable(Errno(errno).description))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(Errno(errno).description))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return decode(bytes).mapError { ReadProblem.damaged($0.message) }
    }

    /// Parses the text format; any deviation is an error (the file is then not trusted at all).
    public static func decode(_ bytes: [UInt8]) -> Result<Checkpoint, DecodeFailure> {
        func fail(_ message: String) -> Result<Checkpoint, DecodeFailure> { .failure(DecodeFailure(message: message)) }
        guard let text = String(validating: bytes, as: UTF8.self) else { return fail("not UTF-8") }
        if text.isEmpty { return fail("empty file") }
        guard text.last == "\n" else { return fail("the last line is cut short") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(header) else { return fail("no '\(header)' header line") }
        var checkpoint = Checkpoint()
        var ended = false
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            if ended { return fail("line \(number): text after the end line") }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "file":
                guard fields.count == 10, let id = UInt64(fields[1], radix: 16),
                    let state = CheckpointEntry.State(rawValue: fields[2]),
                    let device = UInt64(fields[3]), let inode = UInt64(fields[4]),
                    let length = Int(fields[5]), (0...FileFingerprint.window).contains(length),
                    let hash = UInt64(fields[6], radix: 16), let offset = Int64(fields[7]), offset >= 0,
                    let updated = Int64(fields[8]), let path = percentDecode(fields[9])
                else { return fail("line \(number): bad file entry") }
                checkpoint.files.append(
                    CheckpointEntry(
                        fileID: id, state: state, identity: FileIdentity(device: device, inode: inode),
                        fingerprint: FileFingerprint(length: length, hash: hash), offset: offset,
                        updatedAt: updated, path: path))
            case "sink":
                guard fields.count == 5, let name = percentDecode(fields[1]), let device = UInt64(fields[2]),
                    let inode = UInt64(fields[3]), let size = Int64(fields[4]), size >= 0
                else { return fail("line \(number): bad sink entry") }
                checkpoint.sinks.append(
                    SinkMark(name: name, identity: FileIdentity(device: device, inode: inode), size: size))
            case "end":
                guard fields.count == 2, let count = Int(fields[1]),
                    count == checkpoint.files.count + checkpoint.sinks.count
                else { return fail("line \(number): the end line does not match the entries") }
                ended = true
            default:
                return fail("line \(number): unknown entry")
            }
        }
        return ended ? .success(checkpoint) : fail("no end line (cut short)")
    }

    /// Why ``decode(_:)`` rejected a checkpoint file.
    public struct DecodeFailure: Error, Equatable, Sendable {
        public var message: String
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Escapes `%`, space, control bytes and bytes ≥ 0x7F so a path is one field of one line
    /// and comes back byte for byte; the empty string is a lone `%`.
    static func percentEncode(_ text: String) -> String {
        if text.isEmpty { return "%" }
        var out = ""
        for byte in text.utf8 {
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "%") {
                let digits = String(byte, radix: 16, uppercase: true)
                out += "%" + (digits.count == 1 ? "0" : "") + digits
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    static func percentDecode(_ field: String) -> String? {
        if field == "%" { return "" }
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
