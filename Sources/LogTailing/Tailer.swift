import Glibc

/// How a ``Tailer`` reads.
public struct TailOptions: Sendable {
    /// Longer lines are skipped and counted (64 KiB: far beyond any proxy or DNS log line, and
    /// the buffer each open file holds is this plus one chunk).
    public var maxLineBytes = 64 << 10
    /// Bytes asked of a file per read.
    public var chunkBytes = 256 << 10
    /// A rotated file is closed once it has not grown for this long (ms).
    public var rotateWaitMillis: Int64 = 10_000
    /// An unterminated last line is delivered after the file has not grown for this long (ms).
    public var partialLineWaitMillis: Int64 = 5_000
    /// The most bytes read from one file per round, so a backlog in one cannot starve the others.
    public var readBudgetBytes: Int64 = 4 << 20
    /// `done` entries are forgotten after this long (s) or beyond ``maxDoneEntries``.
    public var doneRetentionSeconds: Int64 = 7 * 86_400
    public var maxDoneEntries = 10_000

    public init() {}
}

/// One set of path patterns to follow (a `[[source]]` of the configuration).
public struct TailSource: Sendable, Equatable {
    /// Paths; `*`, `?` and `[…]` are expanded by `glob(3)`.
    public var patterns: [String]
    /// Files found at the very first start (no checkpoint at all) begin at their end.
    public var startAtEnd: Bool

    public init(patterns: [String], startAtEnd: Bool) {
        self.patterns = patterns
        self.startAtEnd = startAtEnd
    }
}

/// Something the tailer did that an operator may want to know.
public enum TailEvent: Sendable, Equatable, CustomStringConvertible {
    case opened(path: String, offset: Int64, why: String)
    case rotated(path: String)
    case truncated(path: String, recoveredFrom: String?, unreadBytes: Int64)
    case closed(path: String, offset: Int64)
    case failed(path: String, message: String)
    case checkpointedFileGone(path: String, offset: Int64)

    public var description: String {
        switch self {
        case .opened(let path, let offset, let why): "following \(path) from byte \(offset) (\(why))"
        case .rotated(let path): "\(path) was rotated away; reading the old file to its end"
        case .truncated(let path, let copy?, _):
            "\(path) was truncated (copytruncate); reading the lines not yet read from its copy \(copy)"
        case .truncated(let path, nil, let bytes):
            "\(path) was truncated and no copy with its content was found: \(bytes) unread bytes are lost"
        case .closed(let path, let offset): "closed \(path) at byte \(offset)"
        case .failed(let path, let message): "\(path): \(message)"
        case .checkpointedFileGone(let path, let offset):
            "\(path) (checkpointed at byte \(offset)) is gone and no rotated copy of it was found"
        }
    }

    /// Whether the event means data may have been lost or not read.
    public var isProblem: Bool {
        switch self {
        case .truncated(_, nil, let bytes): bytes > 0
        case .failed, .checkpointedFileGone: true
        default: false
        }
    }
}

/// Follows the files that a set of path patterns names, through rename-and-create rotation,
/// `copytruncate`, deletion, compression of rotated files and restarts, delivering every line
/// once.
///
/// A file is known by its ``FileIdentity`` together with a ``FileFingerprint`` of its first
/// bytes (decompressed for gzip). Each round the daemon calls ``scan(now:)`` (find files,
/// notice rotation), ``read(_:now:_:)`` for each of ``files``, writes the hits, then calls
/// ``commit()``; ``checkpoint(now:)`` says where every file stands.
///
/// Not thread-safe: one ingestion thread owns it.
public final class Tailer {
    public let sources: [TailSource]
    public let options: TailOptions
    /// The files being read, in the order they should be read.
    public private(set) var files: [TailedFile] = []
    /// Entries of files not open now: `done` files, and until the first scan, the checkpoint's.
    var known: [CheckpointEntry]
    /// Files looked at and left alone (already read), by identity, with the size they had then.
    var ignored: [FileIdentity: Int64] = [:]
    /// Files that could not be opened (permissions), reported once and tried again each scan.
    var unreadable: [FileIdentity: Int64] = [:]
    /// Gzip files not yet complete (no verified trailer), with the size they had then.
    var incompleteGzip: [FileIdentity: Int64] = [:]
    let firstRun: Bool
    var scannedOnce = false
    /// Goes up whenever a file id appears (a file opened, a truncated file restarted under a new
    /// id): the daemon then saves a checkpoint before writing hits that carry the new id, so a
    /// crash can never make the same line come back under another id.
    public private(set) var generation = 0

    /// - Parameters:
    ///   - checkpoint: the saved state, or `nil` on the very first start.
    /// When the checkpoint was saved (ms; its file's modification time): rotated files written
    /// after it that the checkpoint does not know were created and rotated while hostwatch was
    /// down.
    let checkpointMillis: Int64?

    /// - Parameters:
    ///   - checkpoint: the saved state, or `nil` on the very first start.
    ///   - checkpointMillis: when it was saved.
    public init(
        sources: [TailSource], options: TailOptions = TailOptions(), checkpoint: Checkpoint?,
        checkpointMillis: Int64? = nil
    ) {
        self.sources = sources
        self.options = options
        self.known = checkpoint?.files ?? []
        self.firstRun = checkpoint == nil
        self.checkpointMillis = checkpoint == nil ? nil : checkpointMillis
    }

    /// Directories to watch with inotify: those of the patterns and of the open files.
    public var directories: Set<String> {
        var result = Set<String>()
        for source in sources {
            for pattern in source.patterns {
                let dir = Self.directory(of: pattern)
                if !dir.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) { result.insert(dir) }
            }
        }
        for file in files { result.insert(Self.directory(of: file.path)) }
        return result
    }

    // MARK: - Finding files

    /// Notices rotated and deleted files, opens new ones, closes finished ones.
    ///
    /// - Parameter moves: renames seen since the last scan (inotify `IN_MOVED_FROM`/`TO` pairs,
    ///   in order). A file renamed away from a watched path before any scan saw it there (created
    ///   and rotated in between, or while reading was held up by a blocked sink) is found under
    ///   its new name and read from its start.
    public func scan(now: Int64, moves: [(from: String, to: String)] = []) -> [TailEvent] {
        var events: [TailEvent] = []
        for file in files where file.mode == .live {
            switch FileStatus.of(path: file.path) {
            case .success(let status) where status.identity == file.identity:
                continue
            default:
                file.mode = .rotated
                events.append(.rotated(path: file.path))
            }
        }
        var present = Set<FileIdentity>()
        for (index, source) in sources.enumerated() {
            for pattern in source.patterns {
                for path in Self.glob(pattern) {
                    guard case .success(let status) = FileStatus.of(path: path) else { continue }
                    present.insert(status.identity)
                    consider(path, status: status, sourceIndex: index, startAtEnd: source.startAtEnd, now: now, events: &events)
                }
            }
        }
        // Forget files left alone that are gone, so the maps do not grow for ever.
        ignored = ignored.filter { present.contains($0.key) }
        incompleteGzip = incompleteGzip.filter { present.contains($0.key) }
        unreadable = unreadable.filter { present.contains($0.key) }
        if !scannedOnce {
            scannedOnce = true
            resumeUnmatchedEntries(now: now, events: &events)
            readRotationsMissedWhileDown(now: now, events: &events)
        }
        for (from, to) in Self.finalNames(of: moves)
        where sources.contains(where: { $0.patterns.contains { Self.matches(from, pattern: $0) } }) {
            considerUnseenRotation(to, originalPath: from, sourceIndex: sourceIndex(of: from), now: now, events: &events)
        }
        retireFinished(now: now, events: &events)
        return events
    }

    func consider(
        _ path: String, status: FileStatus, sourceIndex: Int, startAtEnd: Bool, now: Int64, events: inout [TailEvent]
    ) {
        guard status.isRegular else { return }
        if files.contains(where: { $0.identity == status.identity }) { return }
        if let size = ignored[status.identity], size == status.size { return }
        if let size = incompleteGzip[status.identity], size == status.size { return }
        let head: [UInt8]
        let isGzip: Bool
        do {
            (head, isGzip) = try FileHead.read(path: path)
            unreadable[status.identity] = nil
        } catch {
            // Tried again every scan (permissions may be fixed); reported once.
            if unreadable.updateValue(status.size, forKey: status.identity) == nil {
                events.append(.failed(path: path, message: error.description))
            }
            return
        }
        if isGzip {
            considerGzip(path, status: status, head: head, sourceIndex: sourceIndex, now: now, events: &events)
            return
        }
        if let index = known.firstIndex(where: { $0.identity == status.identity }) {
            let entry = known[index]
            if entry.fingerprint.matches(head: head) || (entry.offset == 0 && entry.fingerprint.length == 0) {
                if entry.state == .done, status.size <= entry.offset {
                    ignored[status.identity] = status.size
                    return
                }
                known.remove(at: index)
                let mode: TailedFile.Mode = entry.state == .once ? .once : .live
                open(
                    path, sourceIndex: sourceIndex, fileID: entry.fileID, mode: mode, offset: entry.offset,
                    why: "resumed from the checkpoint", now: now, events: &events)
                return
            }
            if entry.state == .done || scannedOnce {
                // The inode was reused by a different file: the entry is about a file that is gone.
                known.remove(at: index)
            }
            // Otherwise the file was truncated (copytruncate) while hostwatch was stopped: the
            // entry stays for ``resumeUnmatchedEntries(now:events:)``, which finds the copy.
        }
        var offset: Int64 = 0
        var why = "new file"
        if firstRun, !scannedOnce, startAtEnd {
            offset = Self.endOfLastLine(path: path, size: status.size)
            why = "start_at = end: first start, existing content skipped"
        }
        open(path, sourceIndex: sourceIndex, fileID: Self.newFileID(), mode: .live, offset: offset, why: why, now: now, events: &events)
    }

    /// A file renamed away from a watched path: if it was never open (nor is known by its content),
    /// it was created and rotated between two scans; read it whole.
    func considerUnseenRotation(
        _ path: String, originalPath: String, sourceIndex: Int, now: Int64, events: inout [TailEvent],
        why: String? = nil
    ) {
        guard case .success(let status) = FileStatus.of(path: path), status.isRegular else { return }
        if files.contains(where: { $0.identity == status.identity }) || ignored[status.identity] != nil { return }
        if known.contains(where: { $0.identity == status.identity }) { return }
        guard let (head, isGzip) = try? FileHead.read(path: path) else { return }
        if files.contains(where: { $0.fingerprint.matches(head: head) }) || known.contains(where: { $0.fingerprint.matches(head: head) }) {
            return
        }
        open(
            path, sourceIndex: sourceIndex, fileID: Self.newFileID(), mode: isGzip ? .once : .rotated, offset: 0,
            why: why ?? "created and rotated away from \(originalPath) between two scans", now: now, events: &events,
            hitPath: originalPath)
    }

    /// The source whose patterns name `path` (the first if several do; 0 if none does any more).
    func sourceIndex(of path: String) -> Int {
        sources.firstIndex { $0.patterns.contains { Self.matches(path, pattern: $0) } } ?? 0
    }

    /// Where each renamed file ended up, following chains (`a` → `a.1`, then `a.1` → `a.2`).
    static func finalNames(of moves: [(from: String, to: String)]) -> [(from: String, to: String)] {
        var result: [(from: String, to: String)] = []
        for move in moves {
            if let index = result.firstIndex(where: { $0.to == move.from }) {
                result[index].to = move.to
            } else {
                result.append(move)
            }
        }
        return result
    }

    /// `fnmatch(3)` with `FNM_PATHNAME`: whether `path` is one a pattern names.
    static func matches(_ path: String, pattern: String) -> Bool {
        fnmatch(pattern, path, FNM_PATHNAME) == 0
    }

    /// A gzip file: read once if its content was never seen, and only once its trailer verifies.
    func considerGzip(
        _ path: String, status: FileStatus, head: [UInt8], sourceIndex: Int, now: Int64, events: inout [TailEvent]
    ) {
        let seen =
            files.contains { $0.fingerprint.matches(head: head) }
            || known.contains { $0.fingerprint.matches(head: head) }
        if seen {
            ignored[status.identity] = status.size
            return
        }
        switch Self.verifyGzip(path: path) {
        case .complete:
            incompleteGzip[status.identity] = nil
            open(path, sourceIndex: sourceIndex, fileID: Self.newFileID(), mode: .once, offset: 0, why: "new gzip file", now: now, events: &events)
        case .incomplete:
            incompleteGzip[status.identity] = status.size
        case .broken(let message):
            events.append(.failed(path: path, message: message + "; not read"))
            ignored[status.identity] = status.size
        }
    }

    /// After the first scan: checkpointed files no pattern found (renamed, compressed while the
    /// daemon was down, or copied by `copytruncate`) are looked for next to their old path.
    func resumeUnmatchedEntries(now: Int64, events: inout [TailEvent]) {
        let pending = known.filter { $0.state != .done }
        known.removeAll { $0.state != .done }
        for entry in pending {
            guard let candidate = Self.findCopy(of: entry.path, identity: entry.identity, fingerprint: entry.fingerprint, sameIdentityAllowed: true)
            else {
                events.append(.checkpointedFileGone(path: entry.path, offset: entry.offset))
                continue
            }
            if files.contains(where: { $0.identity == candidate.status.identity }) { continue }
            let mode: TailedFile.Mode = !candidate.isGzip && candidate.status.identity == entry.identity && entry.state != .once ? .rotated : .once
            open(
                candidate.path, sourceIndex: sourceIndex(of: entry.path), fileID: entry.fileID, mode: mode,
                offset: entry.offset,
                why: "resumed from the checkpoint of \(entry.path)", now: now, events: &events,
                hitPath: entry.path, fingerprint: entry.fingerprint)
        }
    }

    /// After the first scan of a restart: files next to a watched path (`access.log.1`, its
    /// `.gz`) that no checkpoint entry knows and that were written after the checkpoint was
    /// saved were created and rotated away while hostwatch was down: read them whole. (5 s of
    /// slack before the save: a file created just before it may not have been scanned yet.)
    func readRotationsMissedWhileDown(now: Int64, events: inout [TailEvent]) {
        guard let checkpointMillis else { return }
        for (index, source) in sources.enumerated() {
            for pattern in source.patterns {
                let base = String(pattern.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
                if base.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) { continue }
                let dir = Self.directory(of: pattern)
                for name in Self.listDirectory(dir) where name != base && name.hasPrefix(base) {
                    let next = name.utf8[name.utf8.index(name.utf8.startIndex, offsetBy: base.utf8.count)]
                    guard next == UInt8(ascii: ".") || next == UInt8(ascii: "-") || next == UInt8(ascii: "_") else { continue }
                    let path = dir == "." ? name : dir + "/" + name
                    guard case .success(let status) = FileStatus.of(path: path), status.isRegular,
                        status.modifiedMillis > checkpointMillis - 5_000
                    else { continue }
                    considerUnseenRotation(path, originalPath: pattern, sourceIndex: index, now: now, events: &events,
                        why: "written after the last checkpoint, rotated away from \(pattern) while hostwatch was down")
                }
            }
        }
    }

    func retireFinished(now: Int64, events: inout [TailEvent]) {
        var kept: [TailedFile] = []
        for file in files {
            if file.isFinished, file.committedOffset == file.consumedOffset {
                events.append(.closed(path: file.path, offset: file.consumedOffset))
                var entry = file.checkpointEntry(now: now)
                entry.state = .done
                known.append(entry)
                if file.mode != .once { ignored[file.identity] = file.lastSize }
            } else {
                kept.append(file)
            }
        }
        files = kept
        let oldest = now / 1000 - options.doneRetentionSeconds
        known.removeAll { $0.state == .done && $0.updatedAt < oldest }
        if known.count > options.maxDoneEntries { known.removeFirst(known.count - options.maxDoneEntries) }
    }

    /// Opens `path` at `offset` and adds it to ``files``.
    ///
    /// - Parameters:
    ///   - hitPath: the path hits name (default `path`); a rotated copy keeps its original's.
    ///   - fingerprint: the content's fingerprint when known (a copy); otherwise read now.
    @discardableResult
    func open(
        _ path: String, sourceIndex: Int, fileID: UInt64, mode: TailedFile.Mode, offset: Int64, why: String,
        now: Int64, events: inout [TailEvent], hitPath: String? = nil, fingerprint: FileFingerprint? = nil,
        insertAt position: Int? = nil
    ) -> TailedFile? {
        let file: TailedFile
        do {
            if mode == .once {
                var input = try LogInput.open(path: path)
                var skip: Int64 = 0
                var start: Int64 = 0
                if !input.isGzip {
                    // A plain copy: seek instead of reading and skipping.
                    input = try Self.reopenPlain(path: path, at: offset)
                    start = offset
                } else {
                    skip = offset
                }
                guard case .success(let status) = FileStatus.of(path: path) else {
                    throw InputError.cannotOpen(path: path, errno: ENOENT)
                }
                let reader = LineReader(
                    source: input, maxLineBytes: options.maxLineBytes, chunkSize: options.chunkBytes, startOffset: start,
                    skipsLeadingNULs: true)
                let print = try fingerprint ?? FileFingerprint(of: FileHead.read(path: path).head)
                file = TailedFile(
                    sourceIndex: sourceIndex, fileID: fileID, path: hitPath ?? path, identity: status.identity,
                    mode: .once, fingerprint: print, reader: reader, descriptor: -1, offset: offset,
                    size: status.size, now: now)
                file.skipBefore = skip
            } else {
                let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw InputError.cannotOpen(path: path, errno: errno) }
                guard case .success(let status) = FileStatus.of(descriptor: fd) else {
                    close(fd)
                    throw InputError.readFailed(path: path, errno: errno)
                }
                var start = offset
                if start > status.size { start = 0 }
                lseek(fd, off_t(start), SEEK_SET)
                let source = FileByteSource(descriptor: fd, path: path, closeOnDeinit: false)
                let reader = LineReader(
                    source: LogInput(plain: source), maxLineBytes: options.maxLineBytes,
                    chunkSize: options.chunkBytes, startOffset: start, skipsLeadingNULs: true)
                file = TailedFile(
                    sourceIndex: sourceIndex, fileID: fileID, path: hitPath ?? path, identity: status.identity,
                    mode: mode, fingerprint: fingerprint ?? FileFingerprint(of: FileHead.read(descriptor: fd)),
                    reader: reader, descriptor: fd, offset: start, size: status.size, now: now)
            }
        } catch {
            events.append(.failed(path: path, message: "\(error)"))
            return nil
        }
        if let position { files.insert(file, at: position) } else { files.append(file) }
        generation += 1
        events.append(.opened(path: path, offset: offset, why: why))
        return file
    }

    static func reopenPlain(path: String, at offset: Int64) throws(InputError) -> LogInput {
        let source = try FileByteSource(path: path)
        lseek(source.descriptor, off_t(offset), SEEK_SET)
        return LogInput(plain: source)
    }

    // MARK: - Reading

    /// What one ``read(_:now:_:)`` did.
    public struct ReadResult: Sendable, Equatable {
        /// Bytes read from the file.
        public var bytes: Int64
        /// More is waiting (the read budget stopped it).
        public var more: Bool
        /// Something happened to the file (truncation) that an operator may want to know.
        public var events: [TailEvent]
    }

    /// Delivers the complete lines `file` has gained since the last call.
    ///
    /// Notices truncation (`copytruncate`: the size dropped below what was read, or the first
    /// bytes changed) and then first reads the lines not yet read from the truncated file's
    /// copy (a new ``TailedFile`` put before this one), then this file from its start.
    ///
    /// - Parameter body: gets each line (valid only during the call) and its offset.
    public func read(
        _ file: TailedFile, now: Int64, _ body: (UnsafeRawBufferPointer, Int64) -> Void
    ) -> ReadResult {
        let before = file.reader.bytesRead
        var events: [TailEvent] = []
        switch file.mode {
        case .once:
            if file.isFinished { return ReadResult(bytes: 0, more: false, events: []) }
            let skip = file.skipBefore
            do {
                try file.reader.forEachLine(keepPartialLastLine: false, byteBudget: options.readBudgetBytes) { line, offset in
                    if offset >= skip { body(line, offset) }
                }
                if file.reader.isAtEnd { file.isFinished = true }
            } catch {
                file.isFinished = true
                events.append(.failed(path: file.path, message: "\(error)"))
            }
            file.lastSize = max(file.lastSize, file.reader.readOffset)
            file.behindSinceMillis = file.isFinished ? nil : (file.behindSinceMillis ?? now)
        case .live, .rotated:
            guard case .success(let status) = FileStatus.of(descriptor: file.descriptor) else {
                return ReadResult(bytes: 0, more: false, events: [])
            }
            let position = file.reader.readOffset
            if status.size < position
                || (status.size > position && (!headStillMatches(file) || !markerStillMatches(file)))
            {
                handleTruncation(of: file, now: now, events: &events)
                return ReadResult(bytes: 0, more: true, events: events)
            }
            file.lastSize = status.size
            if status.size > position {
                do {
                    try file.reader.forEachLine(keepPartialLastLine: true, byteBudget: options.readBudgetBytes, body)
                } catch {
                    events.append(.failed(path: file.path, message: "\(error)"))
                }
                file.lastGrowthMillis = now
            } else if file.reader.pendingBytes > 0, now - file.lastGrowthMillis >= options.partialLineWaitMillis {
                // A writer that stopped mid-line: the line is what it is.
                _ = try? file.reader.deliverPendingLine(body)
            } else if file.mode == .rotated, now - file.lastGrowthMillis >= options.rotateWaitMillis {
                _ = try? file.reader.deliverPendingLine(body)
                file.isFinished = true
            }
            rememberMarker(of: file)
            let caughtUp = file.reader.readOffset >= file.lastSize
            file.behindSinceMillis = caughtUp ? nil : (file.behindSinceMillis ?? now)
        }
        let read = file.reader.bytesRead - before
        let more = file.mode == .once ? !file.isFinished && read > 0 : file.reader.readOffset < file.lastSize
        return ReadResult(bytes: read, more: more, events: events)
    }

    /// Whether the file still starts with the bytes it was fingerprinted by (extending the
    /// fingerprint while the file is shorter than its window).
    func headStillMatches(_ file: TailedFile) -> Bool {
        if file.fingerprint.length == FileFingerprint.window, file.reader.readOffset > 0 {
            // The common case, cheap: one pread of the window.
            return file.fingerprint.matches(head: FileHead.read(descriptor: file.descriptor))
        }
        let head = FileHead.read(descriptor: file.descriptor)
        if file.fingerprint.length > 0, !file.fingerprint.matches(head: head) { return false }
        if head.count > file.fingerprint.length { file.fingerprint = FileFingerprint(of: head) }
        return true
    }

    /// How many of the last bytes read are remembered (Splunk's "seekCRC", Fluent Bit's offset
    /// marker).
    static let markerLength: Int64 = 64

    func rememberMarker(of file: TailedFile) {
        // The last bytes read, which include an unfinished line: right after a NUL hole was
        // skipped, the bytes before the consumed offset are NULs and would match a new hole.
        let end = file.reader.readOffset
        let start = max(0, end - Self.markerLength)
        if start == file.markerOffset, file.marker.count == Int(end - start) { return }
        file.marker = Self.readBytes(file.descriptor, from: start, count: Int(end - start))
        file.markerOffset = start
    }

    func markerStillMatches(_ file: TailedFile) -> Bool {
        if file.marker.isEmpty { return true }
        return Self.readBytes(file.descriptor, from: file.markerOffset, count: file.marker.count) == file.marker
    }

    static func readBytes(_ descriptor: Int32, from offset: Int64, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, off_t(offset)) }
        return n == count ? bytes : []
    }

    /// The file was truncated in place. Lines not yet read are in its copy, if `copytruncate`
    /// made one: read them from there, then this file from its start under a new file id.
    func handleTruncation(of file: TailedFile, now: Int64, events: inout [TailEvent]) {
        let consumed = file.consumedOffset
        let unread = max(file.lastSize, file.reader.readOffset) - consumed
        var copyPath: String?
        if file.fingerprint.length > 0,
            let copy = Self.findCopy(of: file.path, identity: file.identity, fingerprint: file.fingerprint, sameIdentityAllowed: false)
        {
            let index = files.firstIndex { $0 === file } ?? files.count
            if let opened = open(
                copy.path, sourceIndex: file.sourceIndex, fileID: file.fileID, mode: .once, offset: consumed,
                why: "copy of the truncated \(file.path)", now: now, events: &events, hitPath: file.path,
                fingerprint: file.fingerprint, insertAt: index)
            {
                opened.committedOffset = file.committedOffset
                copyPath = copy.path
            }
        }
        events.append(.truncated(path: file.path, recoveredFrom: copyPath, unreadBytes: copyPath == nil ? unread : 0))
        // Start over on the same descriptor: new content, new id.
        lseek(file.descriptor, 0, SEEK_SET)
        let source = FileByteSource(descriptor: file.descriptor, path: file.path, closeOnDeinit: false)
        file.reader = LineReader(
            source: LogInput(plain: source), maxLineBytes: options.maxLineBytes, chunkSize: options.chunkBytes,
            skipsLeadingNULs: true)
        file.fileID = Self.newFileID()
        generation += 1
        file.fingerprint = FileFingerprint(of: FileHead.read(descriptor: file.descriptor))
        file.committedOffset = 0
        file.lastSize = 0
        file.lastGrowthMillis = now
        file.marker = []
        file.markerOffset = 0
    }

    /// Records that the hits of every line delivered so far are written: checkpoints may now
    /// name those offsets.
    public func commit() {
        for file in files { file.committedOffset = file.consumedOffset }
    }

    /// Where every file stands: the open ones at their committed offsets, then the `done` ones.
    public func checkpoint(now: Int64) -> [CheckpointEntry] {
        files.map { $0.checkpointEntry(now: now) } + known
    }

    // MARK: - Helpers

    /// The directory part of a path (`.` when there is none).
    public static func directoryName(of path: String) -> String { directory(of: path) }

    /// The files a pattern names now (`glob(3)`, sorted).
    public static func expand(_ pattern: String) -> [String] { glob(pattern) }

    struct Candidate {
        var path: String
        var status: FileStatus
        var isGzip: Bool
    }

    /// A file next to `path` whose name starts with `path`'s name (`access.log.1`,
    /// `access.log-20261130.gz`, or the name itself when `sameIdentityAllowed`) and whose content
    /// starts with the fingerprinted bytes. With `sameIdentityAllowed`, the file with `identity`
    /// (the same file, renamed) is preferred; otherwise it is excluded (it is the truncated one).
    static func findCopy(
        of path: String, identity: FileIdentity, fingerprint: FileFingerprint, sameIdentityAllowed: Bool
    ) -> Candidate? {
        guard fingerprint.length > 0 else { return nil }
        let dir = directory(of: path)
        let base = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        var matches: [Candidate] = []
        for name in listDirectory(dir) where name.hasPrefix(base) {
            if name != base {
                let next = name.utf8[name.utf8.index(name.utf8.startIndex, offsetBy: base.utf8.count)]
                guard next == UInt8(ascii: ".") || next == UInt8(ascii: "-") || next == UInt8(ascii: "_") else { continue }
            }
            let candidatePath = dir == "/" ? "/" + name : dir + "/" + name
            guard case .success(let status) = FileStatus.of(path: candidatePath), status.isRegular else { continue }
            if status.identity == identity, !sameIdentityAllowed { continue }
            guard let (head, isGzip) = try? FileHead.read(path: candidatePath), fingerprint.matches(head: head) else { continue }
            if isGzip, case .broken = verifyGzip(path: candidatePath) { continue }
            matches.append(Candidate(path: candidatePath, status: status, isGzip: isGzip))
        }
        return matches.first { $0.status.identity == identity } ?? matches.first { !$0.isGzip } ?? matches.first
    }

    enum GzipCheck: Equatable {
        case complete
        case incomplete
        case broken(String)
    }

    /// Decompresses the whole file to check every member's trailer (CRC and length): a file
    /// that is still being written is not read until it is whole.
    static func verifyGzip(path: String) -> GzipCheck {
        do {
            var input = try LogInput.open(path: path)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
            defer { buffer.deallocate() }
            while try input.read(into: buffer) > 0 {}
            return .complete
        } catch .truncatedGzip {
            return .incomplete
        } catch {
            return .broken(error.description)
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `glob(3)`: the matching paths, sorted; a path without wildcards if it exists.
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[i] { paths.append(String(cString: path)) }
        }
        return paths
    }

    /// The offset just after the last `\n` at or before `size`: where to start so the next line
    /// read is whole.
    static func endOfLastLine(path: String, size: Int64) -> Int64 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return size }
        defer { close(fd) }
        var end = size
        var buffer = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let start = max(0, end - Int64(buffer.count))
            let count = Int(end - start)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(start)) }
            guard n == count else { return size }
            if let last = buffer[0..<count].lastIndex(of: 0x0A) { return start + Int64(last) + 1 }
            end = start
        }
        return 0
    }

    static func newFileID() -> UInt64 { UInt64.random(in: 1...UInt64.max) }
}
