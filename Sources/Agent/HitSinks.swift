#if canImport(Glibc)
import Glibc
#endif
import LogTailing

/// The hits of one round: their JSON lines back to back, and which line each came from.
struct HitBatch: ~Copyable {
    /// A hit's file id, line offset and where its JSON line ends in ``output``.
    struct Record {
        var fileID: UInt64
        var offset: Int64
        var end: Int
    }

    var output = OutputBuffer(fd: -1, name: "hit batch", capacity: 1 << 20)
    var records: [Record] = []

    var isEmpty: Bool { records.isEmpty }
    var byteCount: Int { output.bytes.count }

    mutating func removeAll() {
        output.bytes.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
    }
}

/// When a JSONL sink calls `fsync`.
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// After every batch: nothing acknowledged is lost even on power failure; slowest.
    case always
    /// Before each checkpoint is saved: a checkpoint never names hits that are not on disk.
    case checkpoint
    /// Never: the page cache survives a crash of hostwatch, not of the machine.
    case never
}

/// What a sink does when it cannot write.
public enum SinkErrorPolicy: String, Sendable, CaseIterable {
    /// Keep retrying; reading stops meanwhile (the log files are the buffer). Nothing is lost.
    case block
    /// Count the hits as dropped and go on.
    case drop
}

/// Where hits go: a JSONL file or standard output.
///
/// A sink writes each batch in full or remembers how far it got, so a failed write is retried
/// from where it stopped and no hit is written twice within one run.
final class HitSink {
    enum Kind: Equatable {
        case jsonl(path: String, fsync: FsyncPolicy)
        case stdout
    }

    let name: String
    let kind: Kind
    let onError: SinkErrorPolicy
    private(set) var descriptor: Int32 = -1
    /// Bytes of the current batch already written (after a failed, partly done write).
    private var written = 0
    private var batchDone = false
    /// Hits written before a crash, after the last checkpoint: for each file id, the highest
    /// line offset found in the file. Lines at or below it are not written again.
    private var alreadyWritten: [UInt64: Int64] = [:]
    private(set) var writeErrors = 0
    private(set) var droppedHits = 0
    private(set) var skippedDuplicates = 0
    private(set) var hitsWritten = 0
    private(set) var lastError: String?
    /// Where the file ended at the last commit: the checkpoint names this, not the current
    /// size, because hits written since belong to lines the checkpoint does not cover yet.
    private(set) var committedMark: SinkMark?

    init(name: String, kind: Kind, onError: SinkErrorPolicy) {
        self.name = name
        self.kind = kind
        self.onError = onError
    }

    deinit {
        if descriptor > 2 { close(descriptor) }
    }

    /// Opens the output; for a JSONL file, also reads what was written after `mark` (the
    /// checkpoint) so those hits are not written twice, and cuts a half-written last line.
    ///
    /// - Returns: a message about what recovery found, if anything.
    func open(resumingAfter mark: SinkMark?) throws(SinkError) -> String? {
        switch kind {
        case .stdout:
            descriptor = STDOUT_FILENO
            return nil
        case .jsonl(let path, _):
            let (note, recoveredFrom) = try recover(path: path, mark: mark)
            try openFile(path)
            committedMark = recoveredFrom ?? currentMark()
            return note
        }
    }

    /// The hits written so far belong to committed lines (called right after the tailer's commit).
    func didCommit() {
        if let mark = currentMark() { committedMark = mark }
    }

    private func openFile(_ path: String) throws(SinkError) {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SinkError(sink: name, message: "cannot open \(path): \(Errno(errno))") }
        if descriptor > 2 { close(descriptor) }
        descriptor = fd
    }

    /// Reopens a JSONL file (after SIGHUP, or when it was renamed or deleted by logrotate).
    func reopen() throws(SinkError) {
        guard case .jsonl(let path, _) = kind else { return }
        try openFile(path)
    }

    /// Whether the file at the sink's path is no longer the one open (rotated away or deleted).
    func pathMoved() -> Bool {
        guard case .jsonl(let path, _) = kind, descriptor >= 0 else { return false }
        guard case .success(let open) = FileStatus.of(descriptor: descriptor) else { return true }
        guard case .success(let current) = FileStatus.of(path: path) else { return true }
        return open.identity != current.identity
    }

    /// Starts a new batch (the previous one was written in full or given up).
    func beginBatch() {
        written = 0
        batchDone = false
    }

    var isBatchDone: Bool { batchDone }

    /// Writes what is left of `batch`. On failure, throws; the next call goes on from there.
    func write(_ batch: borrowing HitBatch) throws(SinkError) {
        if batchDone { return }
        let bytes = try bytesToWrite(batch)
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if failure != 0 {
            writeErrors += 1
            let message = "cannot write to \(displayName): \(Errno(failure))"
            lastError = message
            if onError == .drop {
                droppedHits += batch.records.count
                batchDone = true
                return
            }
            throw SinkError(sink: name, message: message)
        }
        if case .jsonl(_, .always) = kind, fsync(descriptor) != 0 {
            writeErrors += 1
            let message = "fsync of \(displayName) failed: \(Errno(errno))"
            lastError = message
            throw SinkError(sink: name, message: message)
        }
        hitsWritten += batch.records.count
        lastError = nil
        batchDone = true
    }

    /// The batch's bytes, less hits already written before a crash.
    private func bytesToWrite(_ batch: borrowing HitBatch) throws(SinkError) -> [UInt8] {
        if alreadyWritten.isEmpty { return batch.output.bytes }
        var bytes: [UInt8] = []
        var start = 0
        for record in batch.records {
            if let last = alreadyWritten[record.fileID], record.offset <= last {
                skippedDuplicates += 1
            } else {
                bytes.append(contentsOf: batch.output.bytes[start..<record.end])
            }
            start = record.end
        }
        return bytes
    }

    /// `fsync` before a checkpoint (policy `checkpoint`).
    func syncForCheckpoint() throws(SinkError) {
        guard case .jsonl(_, .checkpoint) = kind, descriptor >= 0 else { return }
        if fsync(descriptor) != 0 {
            writeErrors += 1
            throw SinkError(sink: name, message: "fsync of \(displayName) failed: \(Errno(errno))")
        }
    }

    /// Where the file ended at the last commit, for the checkpoint.
    func mark() -> SinkMark? { committedMark }

    private func currentMark() -> SinkMark? {
        guard case .jsonl = kind, case .success(let status) = FileStatus.of(descriptor: descriptor) else { return nil }
        return SinkMark(name: name, identity: status.identity, size: status.size)
    }

    var displayName: String {
        switch kind {
        case .stdout: "standard output"
        case .jsonl(let path, _): path
        }
    }

    /// Reads the hits written after `mark` and remembers, per file id, the highest offset; cuts
    /// a last line without its newline (a write cut short by a crash: it is written again).
    ///
    /// - Returns: a note for the log, and the mark recovery started from (what the checkpoint
    ///   keeps naming until the next commit).
    private func recover(path: String, mark: SinkMark?) throws(SinkError) -> (String?, SinkMark?) {
        guard let mark else { return (nil, nil) }
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 { return (nil, nil) }
        defer { close(fd) }
        guard case .success(let status) = FileStatus.of(descriptor: fd) else { return (nil, nil) }
        // Another file (rotated by logrotate since): look at its whole content, at most 64 MiB.
        var start = status.identity == mark.identity ? min(mark.size, status.size) : 0
        start = max(start, status.size - (64 << 20))
        let from = SinkMark(name: name, identity: status.identity, size: start)
        let count = Int(status.size - start)
        guard count > 0 else { return (nil, from) }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(start)) }
        guard n == count else { throw SinkError(sink: name, message: "cannot read \(path) to recover: \(Errno(errno))") }
        var cut: Int64? = nil
        if bytes.last != 0x0A {
            let keep = (bytes.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
            cut = Int64(count - keep)
            bytes.removeSubrange(keep...)
            guard ftruncate(fd, off_t(start) + off_t(keep)) == 0 else {
                throw SinkError(sink: name, message: "cannot cut the half-written last line of \(path): \(Errno(errno))")
            }
        }
        var found = 0
        for line in bytes.split(separator: 0x0A) {
            guard let (fileID, offset) = Self.hitID(in: line) else { continue }
            alreadyWritten[fileID] = max(alreadyWritten[fileID] ?? -1, offset)
            found += 1
        }
        var note = "\(found) hits written after the last checkpoint will not be written again"
        if let cut { note += "; cut a half-written last line of \(cut) bytes" }
        return (note, from)
    }

    /// The `"id":"<16 hex>-<offset>"` field of a hit line (the last field, so searched from the end).
    static func hitID(in line: ArraySlice<UInt8>) -> (UInt64, Int64)? {
        let key = Array("\"id\":\"".utf8)
        guard line.count > key.count + 18 else { return nil }
        var i = line.endIndex - key.count
        while i >= line.startIndex {
            if line[i..<(i + key.count)].elementsEqual(key) { break }
            i -= 1
        }
        guard i >= line.startIndex else { return nil }
        let value = line[(i + key.count)...].prefix { $0 != UInt8(ascii: "\"") }
        guard let dash = value.firstIndex(of: UInt8(ascii: "-")),
            let fileID = UInt64(String(decoding: value[..<dash], as: UTF8.self), radix: 16),
            let offset = Int64(String(decoding: value[(dash + 1)...], as: UTF8.self))
        else { return nil }
        return (fileID, offset)
    }
}

/// A sink could not write; names the sink and the reason.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    public var sink: String
    public var message: String
    public var description: String { "sink \(sink): \(message)" }
}
