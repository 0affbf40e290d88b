#if canImport(Glibc)
import Glibc
#endif
import Logging
import LogParsing
import LogTailing
import Synchronization
import VisitIndex
import Watchlist

/// Messages to the ingestion thread, and the eventfd that wakes it.
final class IngestControl: Sendable {
    struct Reload: Sendable {
        var config: DaemonConfig
        var watchlist: Watchlist
    }

    struct Mailbox {
        var stop = false
        var reload: Reload?
        var reopenSinks = false
        var reloadFailures = 0
        /// Retro hits to write (JSON lines).
        var retroHits: [UInt8] = []
    }

    private let mailbox = Mutex(Mailbox())
    /// A pipe: the ingestion thread polls the read end, ``wake()`` writes a byte to the other.
    let wakeDescriptor: Int32
    private let wakeWriter: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    func requestStop() {
        mailbox.withLock { $0.stop = true }
        wake()
    }

    func post(_ reload: Reload) {
        mailbox.withLock {
            $0.reload = reload
            $0.reopenSinks = true
        }
        wake()
    }

    /// Hands retro hits (JSON lines) to the ingestion thread, which writes them to the sinks.
    func post(retroHits lines: [UInt8]) {
        guard !lines.isEmpty else { return }
        mailbox.withLock { $0.retroHits += lines }
        wake()
    }

    /// Takes the pending messages (`stop` stays set).
    func take() -> Mailbox {
        mailbox.withLock { box in
            let taken = box
            box.reload = nil
            box.reopenSinks = false
            box.retroHits = []
            return taken
        }
    }

    var isStopping: Bool { mailbox.withLock { $0.stop } }

    /// A reload was refused (bad config or watchlist): counted for `/metrics`.
    func reloadFailed() {
        mailbox.withLock { $0.reloadFailures += 1 }
        wake()
    }

    var reloadFailures: Int { mailbox.withLock { $0.reloadFailures } }

    func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWriter, &byte, 1)
    }
}

/// The latest ``IngestSnapshot``, shared between the ingestion thread and its readers.
final class SnapshotBox: Sendable {
    private let value = Mutex(IngestSnapshot())
    func load() -> IngestSnapshot { value.withLock { $0 } }
    func store(_ snapshot: IngestSnapshot) { value.withLock { $0 = snapshot } }
}

/// The ingestion thread's view for `/metrics`, `/healthz` and `STATUS=`: copied out every round.
public struct IngestSnapshot: Sendable {
    public struct SourceFigures: Sendable {
        public var name: String
        public var counters = ScanCounters()
    }

    public struct FileFigures: Sendable {
        public var source: String
        public var path: String
        public var format: String
        public var offset: Int64
        public var lagBytes: Int64
        public var lagSeconds: Double
    }

    public struct SinkFigures: Sendable {
        public var name: String
        public var hitsWritten: Int
        public var writeErrors: Int
        public var droppedHits: Int
        public var skippedDuplicates: Int
        public var lastError: String?
    }

    public var sources: [SourceFigures] = []
    public var files: [FileFigures] = []
    public var sinks: [SinkFigures] = []
    public var watchCount = 0
    public var allowCount = 0
    public var reloads = 0
    public var reloadFailures = 0
    public var checkpointsSaved = 0
    public var checkpointErrors = 0
    /// Lines whose visits were written to the visit index, and failed index writes.
    public var visitLinesIndexed = 0
    public var visitIndexErrors = 0
    /// Hits that could not be kept in the index's `hit` table.
    public var hitIndexErrors = 0
    /// Retro hits written (visits found in the index for newly watched entries).
    public var retroHits = 0
    /// Lines whose host was an IP literal or not a valid name: not in the visit index.
    public var visitLinesInvalidHost = 0
    /// Bytes that `copytruncate` removed before they were read and no copy held (lost).
    public var truncatedUnreadBytes: Int64 = 0
    public var tailProblems = 0
    /// Monotonic ms of the last completed round: a stuck thread stops advancing it.
    public var heartbeatMillis: Int64 = 0
    public var running = false
    public var linesRead: Int { sources.reduce(0) { $0 + $1.counters.linesRead } }
}

/// The ingestion thread: tail, parse, match, write hits, commit, checkpoint — in rounds.
///
/// One thread does all of it, in order, so a checkpoint can only name lines whose hits were
/// written (the round writes before it commits) and a slow sink slows reading instead of
/// piling hits up in memory: the log files are the buffer.
///
/// `@unchecked Sendable`: it is built on the starting task and then handed to its thread,
/// which is the only one to touch it from then on (others talk to it through ``IngestControl``
/// and read ``SnapshotBox``).
final class IngestLoop: @unchecked Sendable {
    let control: IngestControl
    let snapshot: SnapshotBox
    let logger: Logger
    let store: CheckpointStore
    var config: DaemonConfig
    var watchlist: Watchlist
    var tailer: Tailer
    var sinks: [HitSink] = []
    /// The processor of each open file, with the file (to fold its counts in when it closes).
    var processors: [ObjectIdentifier: (processor: any FileProcessor, file: TailedFile)] = [:]
    /// Counters of closed files, by source name, so totals never go down.
    var retiredCounters: [String: ScanCounters] = [:]
    var problemFiles: Set<String> = []
    var batch = HitBatch()
    var figures = IngestSnapshot()
    let inotify: Int32
    var watches: [String: Int32] = [:]
    var lastScan: Int64 = 0
    var lastCheckpoint: Int64 = 0
    var lastPublish: Int64 = 0
    var scanNeeded = true
    /// Renames inotify reported since the last scan.
    var moves: [(from: String, to: String)] = []
    var movedFrom: [UInt32: String] = [:]
    /// ``Tailer/generation`` at the last checkpoint.
    var savedGeneration = -1
    /// The visit index (`nil` when `[index] enabled = false`), written at every checkpoint.
    let visitIndex: VisitIndex?
    /// Hit lines written to the sinks since the last checkpoint, for the index's `hit` table.
    var pendingHitLines: [UInt8] = []
    /// Writes those hits on a thread of its own (`nil` when the index is off).
    let hitIndexer: HitIndexer?
    /// The UTC day retention last ran for.
    var prunedDay: Int32 = .min

    init(
        config: DaemonConfig, watchlist: Watchlist, checkpoint: Checkpoint?, checkpointMillis: Int64? = nil,
        control: IngestControl, snapshot: SnapshotBox, logger: Logger, visitIndex: VisitIndex? = nil
    ) throws(SinkError) {
        self.visitIndex = visitIndex
        self.hitIndexer = visitIndex.map { HitIndexer(index: $0, logger: logger) }
        self.config = config
        self.watchlist = watchlist
        self.control = control
        self.snapshot = snapshot
        self.logger = logger
        self.store = CheckpointStore(directory: config.stateDirectory)
        self.tailer = Tailer(
            sources: Self.tailSources(config), options: Self.tailOptions(config), checkpoint: checkpoint,
            checkpointMillis: checkpointMillis)
        self.inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        for sinkConfig in config.sinks {
            let sink = Self.makeSink(sinkConfig)
            let mark = checkpoint?.sinks.first { $0.name == sink.name }
            if let note = try sink.open(resumingAfter: mark) {
                logger.notice("recovered \(sink.displayName): \(note)")
            }
            sinks.append(sink)
        }
        figures.watchCount = watchlist.watchCount
        figures.allowCount = watchlist.allowCount
    }

    deinit {
        if inotify >= 0 { close(inotify) }
    }

    static func makeSink(_ config: DaemonConfig.Sink) -> HitSink {
        switch config.kind {
        case .jsonl(let path, let fsync): HitSink(name: config.name, kind: .jsonl(path: path, fsync: fsync), onError: config.onError)
        case .stdout: HitSink(name: config.name, kind: .stdout, onError: config.onError)
        }
    }

    static func tailSources(_ config: DaemonConfig) -> [TailSource] {
        config.sources.map { TailSource(patterns: $0.paths, startAtEnd: $0.startAtEnd) }
    }

    static func tailOptions(_ config: DaemonConfig) -> TailOptions {
        var options = TailOptions()
        options.maxLineBytes = config.sources.map(\.maxLineBytes).max() ?? options.maxLineBytes
        options.rotateWaitMillis = config.rotateWaitMillis
        options.partialLineWaitMillis = config.partialLineWaitMillis
        return options
    }

    /// Runs rounds until a stop is requested; then writes what was read, checkpoints, returns.
    func run() {
        logger.info("ingestion started", metadata: ["sources": "\(config.sources.count)", "sinks": "\(sinks.count)"])
        while true {
            let mail = control.take()
            if let reload = mail.reload { apply(reload) }
            if mail.reopenSinks { reopenSinks(reason: "reload") }
            if !mail.retroHits.isEmpty { addRetroHits(mail.retroHits) }
            let now = Self.nowMillis()
            if scanNeeded || now - lastScan >= config.pollIntervalMillis {
                scanNeeded = false
                lastScan = now
                for event in tailer.scan(now: now, moves: moves) { log(event) }
                moves.removeAll()
                movedFrom.removeAll()
                updateWatches()
                for sink in sinks where sink.pathMoved() { reopenSinks(reason: "the file was moved or deleted", only: sink) }
                checkpointNewFileIDs()
            }
            let more = readRound(now: now)
            checkpointNewFileIDs()  // a truncated file restarts under a new id while read
            let wrote = writeBatch()
            if wrote {
                tailer.commit()
                for sink in sinks { sink.didCommit() }
            }
            if control.isStopping {
                if wrote { saveCheckpoint(now: Self.nowMillis()) }
                break
            }
            let after = Self.nowMillis()
            if after - lastCheckpoint >= config.checkpointIntervalMillis {
                saveCheckpoint(now: after)
            }
            if after - lastPublish >= 200 { publish(now: after) }
            if !more { waitForChange(timeoutMillis: 250) }
        }
        hitIndexer?.finish()
        publish(now: Self.nowMillis(), running: false)
        logger.info("ingestion stopped")
    }

    /// Reads every file once (within its budget). Returns whether any has more waiting.
    func readRound(now: Int64) -> Bool {
        var more = false
        for file in tailer.files {
            guard let processor = processor(for: file) else { continue }
            let result = processor.drain(file, tailer: tailer, now: now, batch: &batch)
            for event in result.events { log(event) }
            more = more || result.more
        }
        return more
    }

    func processor(for file: TailedFile) -> (any FileProcessor)? {
        let key = ObjectIdentifier(file)
        if let entry = processors[key] { return entry.processor }
        let source = config.sources[min(file.sourceIndex, config.sources.count - 1)]
        let context = ParserContext(referenceTimeMillis: Self.wallMillis(), timeZone: source.timeZone)
        let made = FileProcessors.make(
            source: source, catalog: config.catalog, file: file, watchlist: watchlist, context: context,
            indexVisits: visitIndex != nil)
        if let problem = made.problem, problemFiles.insert(file.path).inserted {
            logger.error("\(problem)")
            figures.tailProblems += 1
        }
        if let processor = made.processor { processors[key] = (processor, file) }
        return made.processor
    }

    /// Writes the round's hits to every sink; with `block`, retries until done or stopping.
    func writeBatch() -> Bool {
        if batch.isEmpty { return true }
        for sink in sinks { sink.beginBatch() }
        var delay: UInt32 = 50_000
        while true {
            var failed: SinkError?
            for sink in sinks where !sink.isBatchDone {
                do { try sink.write(batch) } catch { failed = error }
            }
            guard let failed else { break }
            logger.error("\(failed); retrying (reading waits until hits can be written)")
            publish(now: Self.nowMillis())
            if control.isStopping { return false }
            usleep(delay)
            delay = min(delay * 2, 2_000_000)
        }
        keepHitsForIndex()
        batch.removeAll()
        return true
    }

    /// Adds retro hits to the round's batch, so they reach every sink like live hits. They name
    /// no file (file id 0), so crash recovery never takes them for a line's hit.
    func addRetroHits(_ lines: [UInt8]) {
        let base = batch.output.bytes.count
        batch.output.bytes.append(contentsOf: lines)
        for (i, byte) in lines.enumerated() where byte == UInt8(ascii: "\n") {
            batch.records.append(HitBatch.Record(fileID: 0, offset: -1, end: base + i + 1))
            figures.retroHits += 1
        }
    }

    /// Keeps the batch's hits for the index's `hit` table (for `GET /v1/hits`): they go to the
    /// ``HitIndexer`` at the next checkpoint, one transaction a checkpoint rather than a round.
    func keepHitsForIndex() {
        guard visitIndex != nil else { return }
        pendingHitLines += batch.output.bytes
    }

    /// Hands the hits kept since the last checkpoint to the thread that puts them in the index.
    func flushHits() {
        guard let hitIndexer, !pendingHitLines.isEmpty else { return }
        hitIndexer.submit(pendingHitLines)
        pendingHitLines.removeAll(keepingCapacity: true)
    }

    /// Saves a checkpoint when file ids appeared since the last one, so every file found is on
    /// disk before a hit that carries its id is written, and before a long first read that a
    /// crash could cut short (a file found but not recorded could be rotated out of sight).
    ///
    /// It does not restart the periodic timer, so the first round after a start also saves the
    /// offsets it committed (a daemon that keeps crashing early still makes progress).
    func checkpointNewFileIDs() {
        if tailer.generation != savedGeneration {
            let periodic = lastCheckpoint
            saveCheckpoint(now: Self.nowMillis())
            lastCheckpoint = periodic
        }
    }

    func saveCheckpoint(now: Int64) {
        lastCheckpoint = now
        savedGeneration = tailer.generation
        // Visits go to the index before the checkpoint: after a crash the lines since the last
        // checkpoint are counted again (a visit is never lost, at worst counted twice).
        flushVisits(now: now)
        do {
            for sink in sinks { try sink.syncForCheckpoint() }
            let checkpoint = Checkpoint(files: tailer.checkpoint(now: Self.wallMillis()), sinks: sinks.compactMap { $0.mark() })
            try store.save(checkpoint)
            figures.checkpointsSaved += 1
        } catch {
            figures.checkpointErrors += 1
            logger.error("checkpoint not saved: \(error)")
        }
    }

    func apply(_ reload: IngestControl.Reload) {
        watchlist = reload.watchlist
        for entry in processors.values { entry.processor.setWatchlist(watchlist) }
        figures.watchCount = watchlist.watchCount
        figures.allowCount = watchlist.allowCount
        figures.reloads += 1
        let old = config
        config.watchFiles = reload.config.watchFiles
        config.allowFiles = reload.config.allowFiles
        if reload.config.sources != old.sources {
            // Start the tailer afresh from its own committed positions under the new sources.
            if writeBatch() {
                tailer.commit()
                for sink in sinks { sink.didCommit() }
            }
            let now = Self.nowMillis()
            let checkpoint = Checkpoint(files: tailer.checkpoint(now: Self.wallMillis()))
            for key in Array(processors.keys) { retire(key) }
            config.sources = reload.config.sources
            tailer = Tailer(sources: Self.tailSources(config), options: Self.tailOptions(config), checkpoint: checkpoint)
            scanNeeded = true
            lastScan = now
            logger.notice("sources changed: now \(config.sources.map(\.name).joined(separator: ", "))")
        }
        if reload.config.sinks != old.sinks || reload.config.stateDirectory != old.stateDirectory
            || reload.config.listen != old.listen
        {
            logger.warning("changes to sinks, state_dir or api take effect at the next restart")
        }
    }

    /// Writes the visits every file summed since the last flush to the visit index, and once a
    /// day deletes the days past retention. A failing write is logged and counted; reading goes on.
    func flushVisits(now: Int64) {
        guard let visitIndex else { return }
        flushHits()
        for entry in processors.values { writeVisits(of: entry.processor, to: visitIndex) }
        let today = VisitIndex.day(ofMillis: now)
        if today != prunedDay {
            do {
                try visitIndex.prune(beforeDay: today - Int32(config.indexRetentionDays) + 1)
                prunedDay = today
            } catch {
                figures.visitIndexErrors += 1
                logger.error("visit index retention not applied: \(error)")
            }
        }
    }

    func writeVisits(of processor: any FileProcessor, to visitIndex: VisitIndex) {
        do {
            let written = try processor.writeVisits(to: visitIndex)
            figures.visitLinesIndexed += written.lines
            figures.visitLinesInvalidHost += written.invalidHostLines
        } catch {
            figures.visitIndexErrors += 1
            logger.error("visit index not written: \(error)")
        }
    }

    /// Counts of one file's reading: its pipeline's plus the reader's own.
    static func counters(of processor: any FileProcessor, file: TailedFile) -> ScanCounters {
        var counters = processor.counters
        counters.linesTooLong = Int(file.linesTooLong)
        counters.linesRead += counters.linesTooLong
        counters.bytesRead = file.bytesRead
        return counters
    }

    /// Drops a closed file's processor, keeping its counts in its source's totals.
    func retire(_ key: ObjectIdentifier) {
        guard let entry = processors.removeValue(forKey: key) else { return }
        // Its visits go now, still before the next checkpoint.
        if let visitIndex { writeVisits(of: entry.processor, to: visitIndex) }
        let name = config.sources[min(entry.file.sourceIndex, config.sources.count - 1)].name
        retiredCounters[name, default: ScanCounters()] += Self.counters(of: entry.processor, file: entry.file)
    }

    func reopenSinks(reason: String, only: HitSink? = nil) {
        for sink in sinks where only == nil || only === sink {
            do {
                try sink.reopen()
                if case .jsonl = sink.kind { logger.info("reopened \(sink.displayName) (\(reason))") }
            } catch {
                logger.error("\(error)")
            }
        }
    }

    func log(_ event: TailEvent) {
        if case .truncated(_, nil, let bytes) = event { figures.truncatedUnreadBytes += bytes }
        if event.isProblem {
            figures.tailProblems += 1
            logger.warning("\(event)")
        } else {
            logger.info("\(event)")
        }
    }

    /// Publishes the figures for the HTTP endpoint and systemd.
    func publish(now: Int64, running: Bool = true) {
        lastPublish = now
        var open = Set<ObjectIdentifier>()
        for file in tailer.files { open.insert(ObjectIdentifier(file)) }
        for key in Array(processors.keys) where !open.contains(key) { retire(key) }
        var sourceFigures = config.sources.map {
            IngestSnapshot.SourceFigures(name: $0.name, counters: retiredCounters[$0.name] ?? ScanCounters())
        }
        var fileFigures: [IngestSnapshot.FileFigures] = []
        for file in tailer.files {
            let index = min(file.sourceIndex, sourceFigures.count - 1)
            let processor = processors[ObjectIdentifier(file)]?.processor
            if let processor { sourceFigures[index].counters += Self.counters(of: processor, file: file) }
            let lagSeconds = file.behindSinceMillis.map { Double(max(0, now - $0)) / 1000 } ?? 0
            fileFigures.append(
                IngestSnapshot.FileFigures(
                    source: config.sources[index].name, path: file.path, format: processor?.format ?? "unknown",
                    offset: file.consumedOffset, lagBytes: file.lagBytes, lagSeconds: lagSeconds))
        }
        figures.sources = sourceFigures
        figures.files = fileFigures
        figures.sinks = sinks.map {
            IngestSnapshot.SinkFigures(
                name: $0.name, hitsWritten: $0.hitsWritten, writeErrors: $0.writeErrors, droppedHits: $0.droppedHits,
                skippedDuplicates: $0.skippedDuplicates, lastError: $0.lastError)
        }
        figures.reloadFailures = control.reloadFailures
        figures.heartbeatMillis = now
        figures.running = running
        figures.hitIndexErrors = hitIndexer?.errors ?? 0
        let copy = figures
        snapshot.store(copy)
    }

    // MARK: - Waiting

    /// Keeps an inotify watch on every directory the tailer cares about.
    func updateWatches() {
        guard inotify >= 0 else { return }
        let wanted = tailer.directories
        for dir in wanted where watches[dir] == nil {
            let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB)
            let wd = inotify_add_watch(inotify, dir, mask)
            if wd >= 0 { watches[dir] = wd }
        }
        for (dir, wd) in watches where !wanted.contains(dir) {
            inotify_rm_watch(inotify, wd)
            watches[dir] = nil
        }
    }

    /// Sleeps until a file changes, a message arrives, or `timeoutMillis` pass. A directory
    /// change (create, rename, delete) asks for a scan before the next read.
    func waitForChange(timeoutMillis: Int32) {
        var fds = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: control.wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, nfds_t(fds.count), timeoutMillis)
        guard ready > 0 else { return }
        if fds[1].revents != 0 {
            var bytes = [UInt8](repeating: 0, count: 64)
            _ = bytes.withUnsafeMutableBytes { Glibc.read(control.wakeDescriptor, $0.baseAddress!, $0.count) }
        }
        if fds[0].revents != 0 { drainInotify() }
        // Let a burst of writes gather: one round per few ms instead of one per write.
        usleep(5_000)
    }

    func drainInotify() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let directories = Dictionary(watches.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(inotify, $0.baseAddress!, $0.count) }
            if n <= 0 { return }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (event, name) = buffer.withUnsafeBytes { raw in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let start = offset + MemoryLayout<inotify_event>.size
                    let bytes = raw[start..<min(n, start + Int(event.len))].prefix { $0 != 0 }
                    return (event, String(decoding: bytes, as: UTF8.self))
                }
                if event.mask & UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_Q_OVERFLOW | IN_ATTRIB) != 0 {
                    scanNeeded = true
                }
                // Renames, paired by cookie: a file created and renamed away between two scans
                // is found under its new name (see Tailer.scan(now:moves:)).
                if let dir = directories[event.wd], !name.isEmpty {
                    let path = dir == "." ? name : dir + "/" + name
                    if event.mask & UInt32(IN_MOVED_FROM) != 0 {
                        movedFrom[event.cookie] = path
                    } else if event.mask & UInt32(IN_MOVED_TO) != 0, let from = movedFrom.removeValue(forKey: event.cookie) {
                        moves.append((from: from, to: path))
                    }
                }
                offset += MemoryLayout<inotify_event>.size + Int(event.len)
            }
        }
    }

    // MARK: - Clocks

    /// The tailer's clock is the wall clock: its times also go into checkpoints.
    static func nowMillis() -> Int64 { wallMillis() }

    static func wallMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
