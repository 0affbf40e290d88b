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
    static let samples: [String: String] = [
        "squid": "squid-access.log", "combined": "squid-access-combined.log", "bind9": "bind-query.log",
        "unbound": "unbound.log", "dnsmasq": "dnsmasq.log",
    ]

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

    @Test(arguments: ["squid", "combined", "bind9", "unbound", "dnsmasq"])
    func hundredThousandMutatedLinesAreAllCounted(format: String) throws {
        let sample = repositoryRoot.appendingPathComponent("rules/samples/\(Self.samples[format]!)")
        let seeds = try String(contentsOf: sample, encoding: .utf8).split(separator: "\n").map { Array($0.utf8) }
        let watchlist = try Watchlist.load(
            watch: [repositoryRoot.appendingPathComponent("rules/watched.txt").path],
            allow: [repositoryRoot.appendingPathComponent("rules/allow.txt").path])
        let context = ParserContext(referenceTimeMillis: 1_795_923_904_000, timeZone: .utc)
        let parser = try #require(ParserRegistry.make(format, context: context))
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        var output = OutputBuffer(fd: devNull, name: "/dev/null")
        var rng = SplitMix64(state: UInt64(format.utf8.count) &* 7919)

        func run<P: LogParser>(_ parser: P) -> ScanCounters {
            var pipeline = LinePipeline(parser: parser, watchlist: watchlist, source: "fuzz")
            for i in 0..<100_000 {
                let line = Self.mutate(seeds.randomElement(using: &rng)!, &rng)
                line.withUnsafeBytes { pipeline.process($0, offset: Int64(i), output: &output) }
                if i % 1000 == 0 { try? output.flush() }
            }
            return pipeline.counters
        }
        let counters = run(parser)
        #expect(counters.linesRead == 100_000)
        #expect(counters.parsed + counters.skippedTotal == counters.linesRead)
        // The mutations must reach both outcomes, or the test proves little.
        #expect(counters.parsed > 1_000, "\(counters.skipped)")
        #expect(counters.skippedTotal > 20_000, "\(counters.skipped)")
        #expect(counters.skipped.contains { $0.reason.hasPrefix("invalid_host:") }, "\(counters.skipped)")
    }
}
