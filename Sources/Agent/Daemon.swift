import DomainMatch
import Foundation
import Hummingbird
public import Logging
import LogTailing
import ServiceLifecycle
import UnixSignals
import VisitIndex
import Watchlist

/// `hostwatch run`: the long-running agent.
///
/// Four services under one `ServiceGroup`: the ingestion thread (``IngestLoop``), the SIGHUP
/// reloader, the HTTP endpoint (`/metrics`, `/healthz`, the `/v1` API: ``HTTPAPI``) and the
/// systemd notifier. SIGTERM and SIGINT shut the group down gracefully: the ingestion thread
/// writes what it has read, saves a checkpoint and stops; the process exits 0.
public enum Daemon {
    /// Runs until SIGTERM/SIGINT. Returns the exit status (0 after a clean stop, 2 when the
    /// configuration, watchlists or state cannot be used).
    public static func run(configPath: String?, logger: Logger) async -> Int32 {
        let config: DaemonConfig
        do {
            config = try ConfigLoader.load(path: configPath)
        } catch {
            logger.critical("the configuration has errors; not starting:\n\(error)")
            return 2
        }
        if configPath == nil {
            logger.notice(
                "no --config given: using the built-in default (\(ConfigLoader.defaultSummary)); see deploy/hostwatch.toml for a production config")
        }
        let watchlist: Watchlist
        do {
            watchlist = try loadWatchlist(config, logger: logger)
        } catch {
            logger.critical("the watchlists have errors; not starting:\n\(error)")
            return 2
        }
        if mkdir(config.stateDirectory, 0o750) != 0, errno != EEXIST {
            logger.critical("cannot create state_dir \(config.stateDirectory): \(Errno(errno))")
            return 2
        }
        let checkpoint: Checkpoint?
        var checkpointMillis: Int64?
        do {
            switch try CheckpointStore(directory: config.stateDirectory).load() {
            case .none:
                checkpoint = nil
                logger.info("no checkpoint yet: first start")
            case .loaded(let loaded, let source, let warning):
                checkpoint = loaded
                if case .success(let status) = FileStatus.of(path: source) { checkpointMillis = status.modifiedMillis }
                if let warning { logger.warning("\(warning)") }
                logger.info("resuming from \(source): \(loaded.files.count) files")
            }
        } catch {
            logger.critical("\(error)")
            return 2
        }
        var visitIndex: VisitIndex?
        if config.indexEnabled {
            let path = config.stateDirectory + "/visits.sqlite"
            do {
                visitIndex = try VisitIndex(path: path)
            } catch {
                logger.critical("cannot open the visit index \(path): \(error)")
                return 2
            }
        }
        let control = IngestControl()
        let snapshot = SnapshotBox()
        let loop: IngestLoop
        do {
            loop = try IngestLoop(
                config: config, watchlist: watchlist, checkpoint: checkpoint, checkpointMillis: checkpointMillis,
                control: control, snapshot: snapshot,
                logger: logger, visitIndex: visitIndex)
        } catch {
            logger.critical("\(error)")
            return 2
        }
        logger.info(
            "watchlist loaded",
            metadata: ["watched": "\(watchlist.watchCount)", "allowed": "\(watchlist.allowCount)"])
        loop.publish(now: IngestLoop.wallMillis())

        let notifier = SystemdNotifier.fromEnvironment()
        let ingest = IngestService(loop: loop, control: control, notifier: notifier)
        let keeper = BlocklistKeeper(logger: logger)
        let reloader = Reloader(
            configPath: configPath, current: (config, watchlist), control: control, keeper: keeper,
            notifier: notifier, logger: logger, visitIndex: visitIndex)
        let reload = ReloadService(reloader: reloader)
        let status = NotifyService(snapshot: snapshot, notifier: notifier)
        var services: [any Service] = [ingest, reload, status]
        if let listen = config.listen {
            guard let (host, port) = ConfigLoader.splitListen(listen) else {
                logger.critical("api.listen '\(listen)' is not host:port")
                return 2
            }
            let router = Router()
            router.get("/metrics") { _, _ -> Response in
                let text = MetricsText.render(snapshot.load()) + MetricsText.render(blocklists: keeper.snapshot())
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            router.get("/healthz") { _, _ -> Response in
                let (healthy, text) = Health.check(snapshot.load(), now: IngestLoop.wallMillis())
                return Response(
                    status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
            }
            HTTPAPI(
                reloader: reloader, snapshot: snapshot, visitIndex: visitIndex,
                file: APIWatchlistFile(path: config.apiWatchFile), readsNeedToken: !ConfigLoader.isLoopback(host)
            ).register(on: router)
            var httpLogger = logger
            httpLogger.logLevel = .warning
            let app = Application(
                router: router, configuration: .init(address: .hostname(host, port: port), serverName: "hostwatch"),
                onServerRunning: { channel in
                    logger.info("metrics, health and the API on http://\(listen) (/metrics, /healthz, /v1)")
                    notifier.ready()
                }, logger: httpLogger)
            services.append(app)
        } else {
            notifier.ready()
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stopped with an error: \(error)")
            return 1
        }
        logger.info("stopped")
        return 0
    }
}

/// Runs the ingestion loop on its own thread (blocking I/O has no place in the cooperative
/// pool) and stops it on graceful shutdown.
struct IngestService: Service {
    let loop: IngestLoop
    let control: IngestControl
    let notifier: SystemdNotifier

    func run() async throws {
        let done = AsyncStream<Void>.makeStream()
        let thread = Thread {
            loop.run()
            done.continuation.finish()
        }
        thread.name = "hostwatch-ingest"
        thread.start()
        await withGracefulShutdownHandler {
            for await _ in done.stream {}
        } onGracefulShutdown: { [control, notifier] in
            notifier.stopping()
            control.requestStop()
        }
    }
}

/// Loads the watch and allow lists a configuration names, and the HTTP API's list file after
/// them (when there is one), logging the lines it skipped.
public func loadWatchlist(_ config: DaemonConfig, logger: Logger? = nil) throws(WatchlistLoadError) -> Watchlist {
    var builder = WatchlistBuilder(invalidEntries: config.invalidEntries)
    for path in config.watchFiles { builder.addFile(path: path, role: .watch) }
    builder.addFileIfPresent(path: config.apiWatchFile, role: .watch)
    for path in config.allowFiles { builder.addFile(path: path, role: .allow) }
    let watchlist = try builder.build()
    if let logger, watchlist.skippedCount > 0 {
        let listed = watchlist.skipped.prefix(20).map { "  \($0)" }.joined(separator: "\n")
        logger.warning("skipped \(watchlist.skippedCount) invalid watchlist lines (invalid_entries = \"skip\"):\n\(listed)")
    }
    return watchlist
}

/// Reloads the configuration and watchlists on SIGHUP, and when a watch entry's `expires`
/// passes; after each, and at start, re-renders the block files.
///
/// A bad file keeps everything as it was and says why.
struct ReloadService: Service {
    let reloader: Reloader

    func run() async throws {
        // Trap SIGHUP before the first (possibly long) blocklist run: an early SIGHUP is a reload.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await withDiscardingTaskGroup { group in
            group.addTask { await reloader.publishBlocklists() }
            group.addTask {
                for await _ in hangups.cancelOnGracefulShutdown() {
                    await reloader.reload(because: "SIGHUP")
                }
            }
            group.addTask {
                // Expiry and the list files are checked every few seconds: cheap, and robust to
                // clock changes and to file systems without inotify.
                while !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .seconds(2))
                    if let expiry = await reloader.nextExpiry, expiry <= currentUnixSeconds() {
                        await reloader.reload(because: "a watch entry expired")
                    } else if let changed = await reloader.changedListFile() {
                        await reloader.reload(because: "\(changed) changed")
                    }
                }
            }
        }
    }
}

/// One reload at a time, whatever asked for it.
actor Reloader {
    let configPath: String?
    var current: (DaemonConfig, Watchlist)
    let control: IngestControl
    let keeper: BlocklistKeeper
    let notifier: SystemdNotifier
    let logger: Logger
    /// Searched for earlier visits when the watchlist gains entries (retro-hunt).
    let visitIndex: VisitIndex?

    init(
        configPath: String?, current: (DaemonConfig, Watchlist), control: IngestControl, keeper: BlocklistKeeper,
        notifier: SystemdNotifier, logger: Logger, visitIndex: VisitIndex? = nil
    ) {
        self.visitIndex = visitIndex
        self.configPath = configPath
        self.current = current
        self.control = control
        self.keeper = keeper
        self.notifier = notifier
        self.logger = logger
        loadedStamps = Self.stamps(current.0.watchFiles + current.0.allowFiles)
    }

    /// The watch and allow files as last loaded, and as seen at the previous check.
    var loadedStamps: [String: FileStatus?] = [:]
    var seenStamps: [String: FileStatus?] = [:]

    /// A watch or allow file that changed since it was loaded and has stayed the same since the
    /// previous check (so a feed still being written is not loaded half-way), if any.
    func changedListFile() -> String? {
        let paths = current.0.watchFiles + current.0.allowFiles
        let now = Self.stamps(paths)
        defer { seenStamps = now }
        return paths.first { now[$0] != loadedStamps[$0] && now[$0] == seenStamps[$0] }
    }

    static func stamps(_ paths: [String]) -> [String: FileStatus?] {
        Dictionary(paths.map { ($0, try? FileStatus.of(path: $0).get()) }, uniquingKeysWith: { a, _ in a })
    }

    /// After a reload for an expiry fails, the next try waits a minute (not every round).
    var retryExpiryAfter: Int64 = 0

    var nextExpiry: Int64? {
        guard let expiry = current.1.nextExpiry else { return nil }
        return max(expiry, retryExpiryAfter)
    }

    /// Counts reloads, so a slow run for an older watchlist never overwrites a newer one's.
    var generation = 0

    func publishBlocklists() async {
        await keeper.publish(current.0, watchlist: current.1, generation: generation)
    }

    func reload(because reason: String) async {
        notifier.reloading()
        logger.notice("\(reason): reloading the configuration and watchlists")
        // Whatever the outcome, the files as they are now have been looked at.
        let stampsBefore = Self.stamps(current.0.watchFiles + current.0.allowFiles)
        do {
            let config = try ConfigLoader.load(path: configPath)
            // Taken before the lists are read: a change during the read is seen next time.
            let stamps = Self.stamps(config.watchFiles + config.allowFiles)
            let watchlist = try loadWatchlist(config, logger: logger)
            control.post(IngestControl.Reload(config: config, watchlist: watchlist))
            retroHunt(old: current.1, new: watchlist, config: config)
            current = (config, watchlist)
            generation += 1
            loadedStamps = stamps
            logger.notice(
                "reloaded", metadata: ["watched": "\(watchlist.watchCount)", "allowed": "\(watchlist.allowCount)"])
        } catch {
            control.reloadFailed()
            logger.error("reload failed; keeping the current configuration and watchlists:\n\(error)")
            retryExpiryAfter = currentUnixSeconds() + 60
            loadedStamps = stampsBefore
        }
        notifier.ready()
        await publishBlocklists()
    }
}

extension Reloader {
    /// Searches the index for earlier visits to the entries `new` added, over the retention
    /// window, and hands the retro hits to the ingestion thread (after the reload, so they are
    /// written with the new list in force).
    func retroHunt(old: Watchlist, new: Watchlist, config: DaemonConfig) {
        guard let visitIndex else { return }
        let since = IngestLoop.wallMillis() - Int64(config.indexRetentionDays) * 86_400_000
        do {
            let result = try RetroHunt.run(old: old, new: new, index: visitIndex, sinceMillis: since)
            guard result.addedEntries > 0 else { return }
            control.post(retroHits: result.lines)
            logger.notice(
                "retro-hunt: \(result.hits) retro hits for \(result.addedEntries) new watch entries over \(config.indexRetentionDays) days")
        } catch {
            logger.error("retro-hunt failed: \(error)")
        }
    }
}

/// `STATUS=` every few seconds, and `WATCHDOG=1` while the ingestion thread makes rounds.
struct NotifyService: Service {
    let snapshot: SnapshotBox
    let notifier: SystemdNotifier

    func run() async throws {
        guard notifier.isEnabled else {
            try? await gracefulShutdown()
            return
        }
        let watchdog = SystemdNotifier.watchdogIntervalFromEnvironment()
        let interval = min(watchdog ?? .seconds(5), .seconds(5))
        var previous = snapshot.load()
        var previousTime = ContinuousClock.now
        while !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            let current = snapshot.load()
            let now = ContinuousClock.now
            let seconds = Double((now - previousTime).components.seconds) + Double((now - previousTime).components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(current.linesRead - previous.linesRead) / seconds : 0
            let hits = current.sources.reduce(0) { $0 + $1.counters.hits }
            notifier.status("\(Int(rate)) lines/s, \(hits) hits, \(current.files.count) files, \(current.watchCount) watched")
            if watchdog != nil, Health.check(current, now: IngestLoop.wallMillis()).healthy {
                notifier.watchdog()
            }
            previous = current
            previousTime = now
        }
    }
}

/// What `/healthz` says.
enum Health {
    /// Healthy while the ingestion thread has made a round in the last 10 s.
    static func check(_ snapshot: IngestSnapshot, now: Int64) -> (healthy: Bool, text: String) {
        let age = now - snapshot.heartbeatMillis
        if !snapshot.running { return (false, "starting or stopping") }
        if age > 10_000 { return (false, "ingestion stalled: no round for \(age / 1000) s") }
        if let failing = snapshot.sinks.first(where: { $0.lastError != nil }) {
            return (false, "sink \(failing.name) failing: \(failing.lastError!)")
        }
        return (true, "ok")
    }
}
