import LogParsing
import LogTailing
public import VisitIndex
public import Watchlist

/// `hostwatch backfill`: historical logs (plain or gzip, any format) into the visit index, with
/// their hits against the current watchlist.
///
/// Idempotent: a file is known by a fingerprint of its decompressed content (so `access.log.1`
/// and the `access.log.1.gz` it became are the same file), and its visits are written in one
/// transaction together with that fingerprint. Loading a file again finds the fingerprint and
/// changes nothing; a file that fails half-way is not counted at all.
public enum Backfill {
    public enum Outcome: Sendable, Equatable {
        /// Written: visits counted, hits kept.
        case loaded
        /// The same content was loaded before (from `path`, at `atMillis`).
        case alreadyLoaded(path: String, atMillis: Int64)
        case failed(String)
    }

    public struct FileReport: Sendable {
        public var path: String
        public var outcome: Outcome
        public var format: String?
        public var counters = ScanCounters()
        public var written = VisitIndex.WriteFigures()
        public var hits = 0
    }

    /// Loads `paths` in order into `index`, and appends their hits (JSON lines) to `hits`.
    public static func run(
        paths: [String], watchlist: Watchlist, index: VisitIndex, options: ScanOptions, now: Int64,
        hits: inout [UInt8]
    ) throws(ScanUsageError) -> [FileReport] {
        let context = ParserContext(referenceTimeMillis: now, timeZone: options.timeZone)
        try options.checkFormat(context: context)
        return paths.map { path in load(path, watchlist: watchlist, index: index, options: options, context: context, now: now, hits: &hits) }
    }

    static func load(
        _ path: String, watchlist: Watchlist, index: VisitIndex, options: ScanOptions, context: ParserContext, now: Int64,
        hits: inout [UInt8]
    ) -> FileReport {
        var report = FileReport(path: path, outcome: .failed("not read"))
        let fingerprint: (hash: UInt64, lines: Int)
        do {
            fingerprint = try Self.fingerprint(path, options: options)
            if let earlier = try index.backfilled(fingerprint: HitIdentifier.hex(fingerprint.hash)) {
                report.outcome = .alreadyLoaded(path: earlier.path, atMillis: earlier.atMillis)
                return report
            }
        } catch {
            report.outcome = .failed("\(error)")
            return report
        }
        var visits: VisitAggregator? = VisitAggregator()
        var collected = OutputBuffer(collecting: "backfill hits")
        let input = Scan.scanInput(
            path, watchlist: watchlist, options: options, context: context, output: &collected, fileID: fingerprint.hash,
            visits: &visits)
        report.format = input.report.format
        report.counters = input.report.counters
        if let error = input.report.error {
            report.outcome = .failed(error)
            return report
        }
        do {
            let mark = BackfillMark(
                fingerprint: HitIdentifier.hex(fingerprint.hash), path: path, lines: fingerprint.lines, atMillis: now)
            report.written = try index.write(&visits!, normalize: VisitHosts.canonical, backfill: mark)
            let stored = HitRecords.stored(fromLines: collected.bytes)
            try index.record(hits: stored.hits)
            report.hits = stored.hits.count
            hits += collected.bytes
            report.outcome = .loaded
        } catch {
            report.outcome = .failed("\(path): the visit index was not written: \(error)")
        }
        return report
    }

    /// A 64-bit hash of the decompressed content, line by line (with each line's offset), and
    /// the number of lines.
    static func fingerprint(_ path: String, options: ScanOptions) throws -> (hash: UInt64, lines: Int) {
        var reader = LineReader(source: try LogInput.open(path: path), maxLineBytes: options.maxLineBytes, chunkSize: options.readChunkBytes)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var lines = 0
        try reader.forEachLine { line, offset in
            hash = (hash ^ UInt64(bitPattern: offset)) &* 0x0000_0100_0000_01B3
            var i = 0
            while i + 8 <= line.count {
                hash = (hash ^ line.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                hash ^= hash >> 29
                i += 8
            }
            while i < line.count {
                hash = (hash ^ UInt64(line[i])) &* 0x0000_0100_0000_01B3
                i += 1
            }
            lines += 1
        }
        // Lines too long to deliver still change the content: count them in.
        return (hash ^ UInt64(reader.linesTooLong) ^ UInt64(bitPattern: reader.bytesRead) &* 0x9E37_79B9_7F4A_7C15, lines)
    }
}
