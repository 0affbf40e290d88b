#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LogParsing
import DomainMatch
import LogTailing
public import Watchlist
import VisitIndex

/// How `hostwatch scan` reads its inputs.
public struct ScanOptions: Sendable {
    /// A parser id, or `auto` to sniff each input.
    public var format: String
    public var timeZone: LogTimeZone
    /// Longer lines are skipped and counted.
    public var maxLineBytes: Int
    /// Lines looked at to choose a format.
    public var sniffLines: Int
    /// Bytes asked of the input per read. 256 KiB: large enough that system calls cost nothing
    /// per line, small enough that the part of the buffer being read stays in the L2 cache next
    /// to the matcher's Bloom filter (with 1 MiB reads the log data evicted the filter and a 1M
    /// watchlist scanned about a third slower).
    public var readChunkBytes: Int
    /// The formats `format` may name: built-ins and the user's `parsers/` definitions.
    public var catalog: ParserCatalog
    /// Settings for the formats that need them (`json`, `csv`, `tsv`, `squid-logformat`).
    public var formatOptions: FormatOptions

    public init(
        format: String = "auto", timeZone: LogTimeZone = .local, maxLineBytes: Int = 1 << 20,
        sniffLines: Int = 20, readChunkBytes: Int = 256 << 10, catalog: ParserCatalog = ParserCatalog(),
        formatOptions: FormatOptions = FormatOptions()
    ) {
        self.catalog = catalog
        self.formatOptions = formatOptions
        self.format = format
        self.timeZone = timeZone
        self.maxLineBytes = maxLineBytes
        self.sniffLines = sniffLines
        self.readChunkBytes = readChunkBytes
    }
}

extension ScanOptions {
    /// Sets the format up once, so an unknown id or bad options fail before any input is read.
    func checkFormat(context: ParserContext) throws(ScanUsageError) {
        guard format != "auto" else { return }
        do {
            _ = try catalog.make(format, context: context, options: formatOptions)
        } catch {
            throw ScanUsageError(description: error.message)
        }
    }
}

/// What happened to one input.
public struct ScanInputReport: Sendable {
    public var path: String
    /// The parser used; `nil` when the input could not be read or no format fit.
    public var format: String?
    /// Why that format: `given`, or how many of the first lines it read.
    public var formatNote: String
    public var isGzip: Bool
    public var counters: ScanCounters
    /// An input error (cannot open, truncated gzip, no format fits), already worded for the user.
    public var error: String?
}

/// The outcome of a scan.
public struct ScanReport: Sendable {
    public var inputs: [ScanInputReport] = []
    public var wallSeconds: Double = 0
    public var cpuSeconds: Double = 0
    /// Set when the output went away (a closed pipe): the scan stopped early on purpose.
    public var outputClosed = false

    public var total: ScanCounters {
        var sum = ScanCounters()
        for input in inputs { sum += input.counters }
        return sum
    }

    /// Whether any input failed: the exit status is then 2.
    public var hasInputErrors: Bool { inputs.contains { $0.error != nil } }

    /// The summary printed on stderr: one line per input, then the totals.
    public var summary: String {
        var lines: [String] = []
        for input in inputs {
            if let error = input.error { lines.append("error: \(error)") }
            guard let format = input.format else { continue }
            let c = input.counters
            lines.append(
                "\(input.path): format \(format) (\(input.formatNote))\(input.isGzip ? ", gzip" : ""): "
                    + "\(c.linesRead) lines, \(c.parsed) parsed, \(c.skippedTotal) skipped, \(c.hits) hits")
        }
        let t = total
        let skipped = t.skipped.map { "\($0.reason) \($0.count)" }.joined(separator: ", ")
        let rate = wallSeconds > 0 ? Double(t.linesRead) / wallSeconds : 0
        lines.append(
            "total: \(inputs.count) input(s), \(t.linesRead) lines read, \(t.parsed) parsed, "
                + "\(t.skippedTotal) skipped\(skipped.isEmpty ? "" : " (\(skipped))"), "
                + "\(t.hits) hits, \(t.allowed) allowed by the allow list")
        if outputClosed { lines.append("stopped early: the reader of standard output went away") }
        lines.append(
            "time: \(Self.fixed(wallSeconds, 3)) s wall, \(Self.fixed(cpuSeconds, 3)) s CPU, "
                + "\(Int(rate)) lines/s, \(Self.fixed(Double(t.bytesRead) / 1_048_576 / max(wallSeconds, 1e-9), 1)) MB/s")
        return lines.joined(separator: "\n")
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        return "\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }
}

/// A problem with the command line itself, before any input is read.
public struct ScanUsageError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// `hostwatch scan`: read files once, print hits as JSON lines.
public enum Scan {
    /// Scans `paths` (`-` is standard input) in order. Input errors are recorded per input and
    /// the scan goes on with the next one; only a closed output stops it.
    public static func run(
        paths: [String], watchlist: Watchlist, options: ScanOptions, output: inout OutputBuffer
    ) throws(ScanUsageError) -> ScanReport {
        let context = ParserContext(referenceTimeMillis: Clock.nowMillis(), timeZone: options.timeZone)
        try options.checkFormat(context: context)
        var report = ScanReport()
        let wallStart = Clock.monotonicSeconds()
        let cpuStart = Clock.cpuSeconds()
        for path in paths {
            var noVisits: VisitAggregator? = nil
            let input = scanInput(path, watchlist: watchlist, options: options, context: context, output: &output, visits: &noVisits)
            report.inputs.append(input.report)
            if input.outputClosed {
                report.outputClosed = true
                break
            }
        }
        if !report.outputClosed {
            do { try output.flush() } catch { report.outputClosed = true }
        }
        report.wallSeconds = Clock.monotonicSeconds() - wallStart
        report.cpuSeconds = Clock.cpuSeconds() - cpuStart
        return report
    }

    /// Reads one input. With `fileID`, hits carry ids made from it; with `visits`, every visit
    /// is also summed there (backfill).
    static func scanInput(
        _ path: String, watchlist: Watchlist, options: ScanOptions, context: ParserContext,
        output: inout OutputBuffer, fileID: UInt64? = nil, visits: inout VisitAggregator?
    ) -> (report: ScanInputReport, outputClosed: Bool) {
        var report = ScanInputReport(
            path: path, format: nil, formatNote: "", isGzip: false, counters: ScanCounters(), error: nil)
        let input: LogInput
        do {
            input = try LogInput.open(path: path)
        } catch {
            report.error = error.description
            return (report, false)
        }
        report.isGzip = input.isGzip
        var reader = LineReader(source: input, maxLineBytes: options.maxLineBytes, chunkSize: options.readChunkBytes)
        var formatID = options.format
        if formatID == "auto" {
            do {
                let sniffLines = options.sniffLines
                let sniffed = try reader.withFirstLines(maxLines: sniffLines) { lines in
                    options.catalog.sniff(lines, context: context)
                }
                if sniffed.lines == 0 {
                    report.format = "none"
                    report.formatNote = "empty input"
                    return (report, false)
                }
                guard let best = sniffed.best else {
                    report.error =
                        "\(path): no known log format fits its first \(sniffed.lines) lines "
                        + "(\(sniffed.bestGuess)); give one with --format"
                    return (report, false)
                }
                formatID = best.id
                report.formatNote = "auto: \(sniffed.reason)"
            } catch {
                report.error = "\(error)"
                return (report, false)
            }
        } else {
            report.formatNote = "given"
        }
        report.format = formatID
        let parser: any LogParser
        do {
            parser = try options.catalog.make(formatID, context: context, options: options.formatOptions)
        } catch {
            report.error = "\(path): \(error.message)"
            return (report, false)
        }
        var outputClosed = false
        withUnsafeMutablePointer(to: &reader) { reader in
            withUnsafeMutablePointer(to: &output) { output in
                var loop = Loop(reader: reader, output: output, watchlist: watchlist, path: path, fileID: fileID)
                swap(&loop.visits, &visits)
                report.counters = ParserCatalog.open(parser, with: &loop)
                swap(&loop.visits, &visits)
                report.error = loop.error
                outputClosed = loop.outputClosed
            }
        }
        return (report, outputClosed)
    }

    /// The per-line loop over one input, specialized for the input's parser type.
    struct Loop: ParserVisitor {
        // Pointers to the caller's reader and output, which cannot be copied into the visitor.
        let reader: UnsafeMutablePointer<LineReader<LogInput>>
        let output: UnsafeMutablePointer<OutputBuffer>
        let watchlist: Watchlist
        let path: String
        let fileID: UInt64?
        var visits: VisitAggregator?
        var error: String?
        var outputClosed = false

        init(
            reader: UnsafeMutablePointer<LineReader<LogInput>>, output: UnsafeMutablePointer<OutputBuffer>,
            watchlist: Watchlist, path: String, fileID: UInt64?
        ) {
            self.reader = reader
            self.output = output
            self.watchlist = watchlist
            self.path = path
            self.fileID = fileID
        }

        mutating func visit<P: LogParser>(_ parser: P) -> ScanCounters {
            var pipeline = LinePipeline(parser: parser, watchlist: watchlist, source: path, fileID: fileID)
            // Lent to the pipeline and taken back, so the per-line code is the daemon's own.
            swap(&pipeline.visits, &visits)
            defer { swap(&pipeline.visits, &visits) }
            let output = self.output
            do {
                try reader.pointee.forEachLine { line, offset in
                    pipeline.process(line, offset: offset, output: &output.pointee)
                    try output.pointee.flushIfFull()
                }
            } catch let failure as OutputError {
                outputClosed = true
                if !failure.isBrokenPipe { error = failure.description }
            } catch let failure as InputError {
                error = failure.description
            } catch {
                self.error = "\(path): \(error)"
            }
            var counters = pipeline.counters
            counters.linesTooLong = Int(reader.pointee.linesTooLong)
            counters.linesRead += Int(reader.pointee.linesTooLong)
            counters.bytesRead = reader.pointee.bytesRead
            counters.cachedAnswers = pipeline.cache.hits
            return counters
        }
    }
}

/// Wall, monotonic and CPU clocks from the C library.
enum Clock {
    static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }
}
