import Agent
import DomainMatch
import Foundation
import LogParsing
import Testing
import Watchlist
import SeededRandom

/// Random and mutated lines through every parser, the normalizer and the matcher: nothing may
/// crash, and every line must be counted as parsed or as skipped for a reason.
@Suite("Pipeline on random and mutated lines")
struct PipelineFuzzTests {
    /// Seeds of each format: the real daemons' samples, and the fixtures of the parser tests.
    static let samples: [String: String] = [
        "squid": "rules/samples/squid-access.log", "combined": "rules/samples/squid-access-combined.log",
        "bind9": "rules/samples/bind-query.log", "unbound": "rules/samples/unbound.log",
        "dnsmasq": "rules/samples/dnsmasq.log",
    ]

    static func seedFile(_ id: String) -> String {
        samples[id] ?? "Tests/LogParsingTests/Fixtures/\(id).log"
    }

    /// Settings for the formats that need them, matching their fixtures.
    static let options: [String: FormatOptions] = [
        "squid-logformat": FormatOptions(
            logformat:
                #"%{%Y-%m-%dT%H:%M:%S}tl.%03tu%{%z}tl client=%>a:%>p user=%un method=%rm host=%>rd port=%>rP hosthdr="%{Host}>h" result=%Ss/%>Hs bytes=%<st server=%<a url="%ru" ua="%{User-Agent}>h""#
        ),
        "csv": FormatOptions(
            fields: [
                "time": "Timestamp", "client": "Client IP", "user": "User", "method": "Method", "url": "URL",
                "status": "Status", "action": "Action",
            ], header: true),
        "tsv": FormatOptions(
            fields: ["time": "1", "client": "2", "host": "3", "qtype": "4", "rcode": "5", "action": "6"], kind: .dns,
            timeFormat: "epoch"),
        "json": FormatOptions(
            fields: [
                "time": "ts", "client": "request.client_ip", "user": "user_id", "host": "request.host",
                "url": "request.uri", "method": "request.method", "status": "status",
            ], timeFormat: "epoch"),
    ]

    /// Every format of the catalog (built-in, and the shipped definitions of parsers/) that has
    /// seed lines here.
    static let formats: [String] = {
        let catalog = ParserCatalog.load(directory: repositoryRoot.appendingPathComponent("parsers").path).catalog
        return catalog.ids.filter { id in
            guard catalog.definition(id) == nil else { return true }
            return FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(seedFile(id)).path)
        }
    }()

    /// Bytes that make parsers and the normalizer take their rare paths.
    static let interesting: [UInt8] = Array(" \t\"\\%[]:@./#-_=*;\u{0}\r".utf8) + [0x80, 0xC3, 0xE2, 0xFF, 0xF0]

    static func mutate(_ line: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = line
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:  // flip one byte to an interesting one
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = interesting.randomElement(using: &rng)!
            case 1 where !bytes.isEmpty:  // cut
                bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
            case 2:  // insert a run
                let at = Int.random(in: 0...bytes.count, using: &rng)
                let run = (0..<Int.random(in: 1...70, using: &rng)).map { _ in interesting.randomElement(using: &rng)! }
                bytes.insert(contentsOf: run, at: at)
            case 3 where bytes.count > 2:  // delete a range
                let from = Int.random(in: 0..<(bytes.count - 1), using: &rng)
                bytes.removeSubrange(from..<Int.random(in: (from + 1)...bytes.count, using: &rng))
            case 4:  // random bytes
                bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:  // duplicate a piece (long labels, repeated fields)
                if !bytes.isEmpty {
                    let from = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes.insert(contentsOf: bytes[from...].prefix(80), at: from)
                }
            }
        }
        return bytes
    }

    @Test func everyFormatIsFuzzed() {
        #expect(Set(ParserRegistry.builtinIDs).subtracting(Self.formats).isEmpty)
        #expect(Self.formats.count == ParserRegistry.builtinIDs.count + 6)
    }

    @Test(arguments: formats)
    func hundredThousandMutatedLinesAreAllCounted(format: String) throws {
        let loaded = ParserCatalog.load(directory: repositoryRoot.appendingPathComponent("parsers").path)
        let seeds: [[UInt8]]
        if let definition = loaded.catalog.definition(format) {
            seeds = definition.samples.map { Array($0.line.utf8) }
        } else {
            let sample = repositoryRoot.appendingPathComponent(Self.seedFile(format))
            seeds = try String(contentsOf: sample, encoding: .utf8).split(separator: "\n").map { Array($0.utf8) }
        }
        let watchlist = try Watchlist.load(
            watch: [repositoryRoot.appendingPathComponent("rules/watched.txt").path],
            allow: [repositoryRoot.appendingPathComponent("rules/allow.txt").path])
        let context = ParserContext(referenceTimeMillis: 1_795_923_904_000, timeZone: .utc)
        let parser = try loaded.catalog.make(format, context: context, options: Self.options[format] ?? FormatOptions())
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        var output = OutputBuffer(fd: devNull, name: "/dev/null")
        var rng = SplitMix64(state: UInt64(format.utf8.count) &* 7919)

        func run<P: LogParser>(_ parser: P) -> ScanCounters {
            var pipeline = LinePipeline(parser: parser, watchlist: watchlist, source: "fuzz")
            for i in 0..<100_000 {
                // Header lines (Zeek and W3C `#…`, a CSV's column names) stay whole, so the data
                // lines after them are read as the format's; the parsers' own fuzz tests mutate them.
                let seed = seeds.randomElement(using: &rng)!
                let line = seed.first == UInt8(ascii: "#") || (format == "csv" && seed == seeds[0]) ? seed : Self.mutate(seed, &rng)
                line.withUnsafeBytes { pipeline.process($0, offset: Int64(i), output: &output) }
                if i % 1000 == 0 { try? output.flush() }
            }
            return pipeline.counters
        }
        let counters = run(parser)
        #expect(counters.linesRead == 100_000)
        #expect(counters.parsed + counters.skippedTotal == counters.linesRead)
        // The mutations must reach both outcomes, or the test proves little.
        #expect(counters.parsed > 500, "\(counters.parsed) parsed, \(counters.skipped)")
        #expect(counters.skippedTotal > 20_000, "\(counters.skipped)")
        if Self.samples[format] != nil {
            #expect(counters.skipped.contains { $0.reason.hasPrefix("invalid_host:") }, "\(counters.skipped)")
        }
    }
}
