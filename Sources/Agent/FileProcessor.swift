import DomainMatch
import LogParsing
import LogTailing
import VisitIndex
import Watchlist

/// Reads one tailed file's new lines through its own pipeline (parsers keep per-file state).
///
/// The per-line loop runs inside the generic ``FileProcessorOf``, specialized for the parser
/// type, so the daemon pays one dynamic call per read, not per line.
protocol FileProcessor: AnyObject {
    /// Reads what the file gained and appends the hits to `batch`.
    func drain(_ file: TailedFile, tailer: Tailer, now: Int64, batch: inout HitBatch) -> Tailer.ReadResult
    func setWatchlist(_ watchlist: Watchlist)
    /// Shows the parser lines it will not read again (see `FileProcessors.make`).
    func prime(_ lines: [[UInt8]])
    /// Writes the visits summed since the last call to the visit index (nothing when it is
    /// off), and forgets them, written or not.
    func writeVisits(to index: VisitIndex) throws -> VisitIndex.WriteFigures
    var counters: ScanCounters { get }
    var format: String { get }
}

final class FileProcessorOf<Parser: LogParser>: FileProcessor {
    var pipeline: LinePipeline<Parser>
    var fileID: UInt64
    /// When the parser's reference time (for year-less timestamps) was last moved to now.
    var referenceTime: Int64 = 0

    init(parser: Parser, watchlist: Watchlist, file: TailedFile, indexVisits: Bool) {
        pipeline = LinePipeline(parser: parser, watchlist: watchlist, source: file.path, fileID: file.fileID)
        if indexVisits { pipeline.visits = VisitAggregator() }
        fileID = file.fileID
    }

    func writeVisits(to index: VisitIndex) throws -> VisitIndex.WriteFigures {
        guard pipeline.visits != nil, pipeline.visits!.lines > 0 else { return VisitIndex.WriteFigures() }
        return try index.write(&pipeline.visits!, normalize: VisitHosts.canonical)
    }

    var format: String { pipeline.parser.id }

    var counters: ScanCounters {
        var counters = pipeline.counters
        counters.cachedAnswers = pipeline.cache.hits
        return counters
    }

    func setWatchlist(_ watchlist: Watchlist) {
        pipeline.watchlist = watchlist
    }

    func prime(_ lines: [[UInt8]]) {
        var event = LogEvent()
        for line in lines {
            event.reset()
            _ = line.withUnsafeBytes { pipeline.parser.parse($0, into: &event) }
        }
    }

    func drain(_ file: TailedFile, tailer: Tailer, now: Int64, batch: inout HitBatch) -> Tailer.ReadResult {
        if now - referenceTime >= 60_000 {
            referenceTime = now
            pipeline.parser.setReferenceTime(now)
        }
        if file.fileID != fileID {
            fileID = file.fileID
            pipeline.setFileID(fileID)
        }
        let id = fileID
        return tailer.read(file, now: now) { line, offset in
            let hits = pipeline.counters.hits
            pipeline.process(line, offset: offset, output: &batch.output)
            if pipeline.counters.hits != hits {
                batch.records.append(HitBatch.Record(fileID: id, offset: offset, end: batch.output.bytes.count))
            }
        }
    }
}

enum FileProcessors {
    /// A processor for `file` in its source's format (`auto`: sniffed from the file's first
    /// lines; `nil` while the file has no complete line to sniff, or when no format fits).
    static func make(
        source: DaemonConfig.Source, catalog: ParserCatalog, file: TailedFile, watchlist: Watchlist,
        context: ParserContext, indexVisits: Bool
    ) -> (processor: (any FileProcessor)?, problem: String?) {
        var id = source.format
        if id == "auto" {
            let lines = firstLines(of: file.path)
            if lines.isEmpty { return (nil, nil) }
            let sniffed = lines.withUnsafeBufferPointers { catalog.sniff($0, context: context) }
            guard let best = sniffed.best else {
                return (
                    nil,
                    "\(file.path): no known log format fits its first \(lines.count) lines "
                        + "(\(sniffed.bestGuess)); set format in its [[source]]"
                )
            }
            id = best.id
        }
        let parser: any LogParser
        do {
            parser = try catalog.make(id, context: context, options: source.options)
        } catch {
            return (nil, "\(file.path): \(error.message)")
        }
        var maker = Maker(watchlist: watchlist, file: file, indexVisits: indexVisits)
        let processor = ParserCatalog.open(parser, with: &maker)
        if file.consumedOffset > 0 {
            // Resuming inside a file (after a restart): the parser has not seen the lines before
            // the checkpoint, and header-driven formats (Zeek `#fields`, W3C `#Fields:`, a CSV's
            // column names) need them. Its first lines, up to the checkpoint, set it up.
            var end: Int64 = 0
            let before = leadingLines(of: file.path).prefix { line in
                end += Int64(line.count) + 1
                return end <= file.consumedOffset
            }
            processor.prime(Array(before))
        }
        return (processor, nil)
    }

    /// Builds a processor specialized for the parser's concrete type (see `ParserCatalog.open`).
    struct Maker: ParserVisitor {
        let watchlist: Watchlist
        let file: TailedFile
        let indexVisits: Bool

        func visit<P: LogParser>(_ parser: P) -> any FileProcessor {
            FileProcessorOf(parser: parser, watchlist: watchlist, file: file, indexVisits: indexVisits)
        }
    }

    /// Up to 20 complete non-empty lines from the start of a file (decompressed if gzip).
    static func firstLines(of path: String) -> [[UInt8]] {
        leadingLines(of: path).filter { !$0.isEmpty }
    }

    /// The first 20 lines of a file, empty ones included (decompressed if gzip).
    static func leadingLines(of path: String) -> [[UInt8]] {
        guard let input = try? LogInput.open(path: path) else { return [] }
        var reader = LineReader(source: input, maxLineBytes: 64 << 10, chunkSize: 64 << 10)
        let lines = try? reader.withFirstLines(maxLines: 20) { lines in lines.map { Array($0) } }
        return lines ?? []
    }
}

extension Array where Element == [UInt8] {
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        var pointers: [UnsafeRawBufferPointer] = []
        var storage: [UnsafeMutableRawBufferPointer] = []
        for bytes in self {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            copy.copyBytes(from: bytes)
            storage.append(copy)
            pointers.append(UnsafeRawBufferPointer(copy))
        }
        defer { for copy in storage { copy.deallocate() } }
        return body(pointers)
    }
}

/// Hosts as logged → canonical names, for the visit index (once per host a reader sees, not
/// per line). IP literals are not indexed: `visited` asks about names.
enum VisitHosts {
    static func canonical(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard out.count >= HostNormalizer.outputCapacity, case .success(let host) = HostNormalizer.normalize(raw, into: out),
            host.kind == .name
        else { return nil }
        return host.count
    }
}
