import BlockRules
import Foundation
import Logging
import Synchronization
import Watchlist

/// What `/metrics` says about one `[[blocklist]]` file.
struct BlocklistFigures: Sendable {
    var format: String
    var path: String
    /// Entries in the file as last published or found unchanged.
    var entries = 0
    /// Selected entries that the guards or the format left out, at the last run.
    var leftOut = 0
    var publications = 0
    /// Failed runs by kind (change_guard, validation, reload, foreign_file, io, config).
    var failures: [String: Int] = [:]
    /// Whether the last run failed (the file is older than the watchlist).
    var failing = false
    /// Unix seconds of the last run that ended with the file current.
    var lastSuccess: Int64 = 0
}

/// Re-renders the `[[blocklist]]` files whenever the watchlist changes, one run at a time, on
/// a thread of its own (a 1M-entry list takes a second or two per file: not work for the
/// cooperative pool that serves HTTP).
final class BlocklistKeeper: Sendable {
    private let figures = Mutex<[BlocklistFigures]>([])
    private let logger: Logger
    /// Runs are serialized (a reload during a run waits for it); holds the newest generation run.
    private let running = Mutex<Int>(-1)

    init(logger: Logger) {
        self.logger = logger
    }

    func snapshot() -> [BlocklistFigures] { figures.withLock { $0 } }

    /// Publishes every blocklist of `config` from `watchlist`; returns when all are done. A
    /// run for an older `generation` than one already run is skipped.
    func publish(_ config: DaemonConfig, watchlist: Watchlist, generation: Int) async {
        guard !config.blocklists.isEmpty else {
            figures.withLock { $0 = [] }
            return
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                running.withLock { newest in
                    guard generation >= newest else { return }
                    newest = generation
                    publishNow(config, watchlist: watchlist)
                }
                done.resume()
            }
            thread.name = "hostwatch-blocklists"
            thread.start()
        }
    }

    private func publishNow(_ config: DaemonConfig, watchlist: Watchlist) {
        let previous = Dictionary(snapshot().map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var updated: [BlocklistFigures] = []
        let publicSuffixes: PublicSuffixList
        do {
            publicSuffixes = try PublicSuffixList.load(path: config.publicSuffixList)
        } catch {
            logger.error("block files not updated: \(error)")
            for spec in config.blocklists {
                var figure = previous[spec.target.path] ?? BlocklistFigures(format: spec.target.format.rawValue, path: spec.target.path)
                figure.failures[BlockRulesError.Kind.config.rawValue, default: 0] += 1
                figure.failing = true
                updated.append(figure)
            }
            figures.withLock { $0 = updated }
            return
        }
        for spec in config.blocklists {
            let outcome = BlocklistWriter.publish(spec, watchlist: watchlist, publicSuffixes: publicSuffixes)
            var figure = previous[spec.target.path] ?? BlocklistFigures(format: spec.target.format.rawValue, path: spec.target.path)
            figure.leftOut = outcome.leftOut
            let text = outcome.lines.joined(separator: "\n")
            if let error = outcome.error {
                figure.failures[error.kind.rawValue, default: 0] += 1
                figure.failing = true
                logger.error("block file not replaced: \(text)")
            } else if let result = outcome.result {
                figure.entries = result.count
                figure.failing = false
                figure.lastSuccess = currentUnixSeconds()
                if result.outcome == .published {
                    figure.publications += 1
                    logger.notice("block file: \(text)")
                } else {
                    logger.info("block file: \(text)")
                }
            }
            updated.append(figure)
        }
        figures.withLock { $0 = updated }
    }
}
