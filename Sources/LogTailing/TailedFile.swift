import Glibc

/// One file a ``Tailer`` reads: its descriptor, its line reader, and where its lines stand.
///
/// A class because the tailer's list, the daemon's per-file state and the metrics all refer to
/// the same file while it is open; it is used from the ingestion thread only.
public final class TailedFile {
    /// How the file is read.
    public enum Mode: Sendable, Equatable {
        /// Followed under its path: new bytes are read as they arrive.
        case live
        /// Renamed or deleted away from its path: read on until it has not grown for
        /// `rotateWait`, then closed.
        case rotated
        /// Read once, front to back, then closed: a gzip file, a `copytruncate` copy.
        case once
    }

    /// Index of the source (in the order given to the ``Tailer``) whose pattern found the file.
    public let sourceIndex: Int
    /// Names the file's content for good: with a line's offset, the `id` of a hit.
    public internal(set) var fileID: UInt64
    /// The path the file was found under; hits name it as their `source`.
    public let path: String
    public internal(set) var identity: FileIdentity
    public internal(set) var mode: Mode
    /// Offset of the first line whose hits are not yet known to be written (see
    /// ``Tailer/commit()``).
    public internal(set) var committedOffset: Int64
    /// Size at the last look.
    public internal(set) var lastSize: Int64
    /// When (ms) the file was last seen caught up; `nil` while it is.
    public internal(set) var behindSinceMillis: Int64?

    var fingerprint: FileFingerprint
    var reader: LineReader<LogInput>
    /// The descriptor of a followed plain file (`-1` for `once` files, whose source owns theirs).
    let descriptor: Int32
    /// For `once` files resumed inside a gzip stream: lines before this offset are not delivered.
    var skipBefore: Int64 = 0
    var lastGrowthMillis: Int64
    /// Read to its end (or waited out) and ready to be closed once committed.
    var isFinished = false
    /// The last bytes before ``consumedOffset`` as read, and where they start: if the file no
    /// longer has them there, it was truncated and rewritten (a writer without O_APPEND leaves
    /// a NUL hole there, and the first kilobyte may not change at all).
    var marker: [UInt8] = []
    var markerOffset: Int64 = 0

    init(
        sourceIndex: Int, fileID: UInt64, path: String, identity: FileIdentity, mode: Mode,
        fingerprint: FileFingerprint, reader: consuming LineReader<LogInput>, descriptor: Int32,
        offset: Int64, size: Int64, now: Int64
    ) {
        self.sourceIndex = sourceIndex
        self.fileID = fileID
        self.path = path
        self.identity = identity
        self.mode = mode
        self.fingerprint = fingerprint
        self.reader = reader
        self.descriptor = descriptor
        self.committedOffset = offset
        self.lastSize = size
        self.lastGrowthMillis = now
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Offset after the last line delivered: where a checkpoint taken now would resume.
    public var consumedOffset: Int64 { reader.consumedOffset }

    /// Bytes in the file not yet delivered as lines.
    public var lagBytes: Int64 { max(0, lastSize - consumedOffset) }

    /// Lines too long to deliver, skipped so far.
    public var linesTooLong: Int64 { reader.linesTooLong }

    /// Bytes read so far (decompressed for gzip).
    public var bytesRead: Int64 { reader.bytesRead }

    /// What the checkpoint says about this file.
    func checkpointEntry(now: Int64) -> CheckpointEntry {
        let state: CheckpointEntry.State =
            switch mode {
            case .live: .live
            case .rotated: .rotated
            case .once: .once
            }
        return CheckpointEntry(
            fileID: fileID, state: state, identity: identity, fingerprint: fingerprint, offset: committedOffset,
            updatedAt: now / 1000, path: path)
    }
}
