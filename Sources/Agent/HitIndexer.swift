import Dispatch
import Logging
import Synchronization
import VisitIndex

/// Keeps the hits in the index's `hit` table (for `GET /v1/hits`), on a thread of its own.
///
/// The ingestion thread only hands over the JSON lines the sinks got, at each checkpoint; reading
/// them back and inserting them happens here, so a log where every line is a hit does not slow
/// reading down (it did, measurably, in the rotation tests). The hits are in the sinks already:
/// a failure here is logged and counted, nothing is retried.
final class HitIndexer: Sendable {
    let index: VisitIndex
    let logger: Logger
    private let queue = DispatchQueue(label: "hostwatch-hit-index")
    private let failures = Mutex(0)

    init(index: VisitIndex, logger: Logger) {
        self.index = index
        self.logger = logger
    }

    /// Failed writes and lines that did not read back, so far.
    var errors: Int { failures.withLock { $0 } }

    func submit(_ lines: [UInt8]) {
        guard !lines.isEmpty else { return }
        queue.async { [self] in
            let (hits, unreadable) = HitRecords.stored(fromLines: lines)
            do {
                try index.record(hits: hits)
            } catch {
                failures.withLock { $0 += 1 }
                logger.error("hits not kept in the visit index: \(error)")
            }
            if unreadable > 0 {
                failures.withLock { $0 += 1 }
                logger.error("\(unreadable) hits could not be read back for the visit index")
            }
        }
    }

    /// Returns once everything submitted is written (at stop).
    func finish() { queue.sync {} }
}
