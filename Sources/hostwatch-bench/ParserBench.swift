import Agent
import Foundation
import LogParsing

/// Lines per second of each parser on one core: the parse step alone (no matching), over the
/// format's test fixture repeated to `lines` lines laid out in one buffer, as a read chunk is.
///
/// Run from the repository: the inputs are `Tests/LogParsingTests/Fixtures/*` (the lines of the
/// shapes each product writes, visits and non-visit lines mixed as in the fixture).
struct ParserBench {
    struct Case {
        var id: String
        var fixture: String
        var options = FormatOptions()
    }

    static let fixtures = "Tests/LogParsingTests/Fixtures/"

    static let cases: [Case] = [
        Case(id: "squid", fixture: "squid-access.log"),
        Case(id: "squid-native-regex", fixture: "squid-access.log"),
        Case(id: "squid-native-regex-nojit", fixture: "squid-access.log"),
        Case(
            id: "squid-logformat", fixture: "squid-access.log",
            options: FormatOptions(logformat: "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt")),
        Case(id: "combined", fixture: "squid-access-combined.log"),
        Case(id: "bind9", fixture: "bind-query.log"),
        Case(id: "unbound", fixture: "unbound.log"),
        Case(id: "dnsmasq", fixture: "dnsmasq.log"),
        Case(id: "w3c", fixture: "w3c.log"),
        Case(id: "windows-dns", fixture: "windows-dns.log"),
        Case(id: "coredns", fixture: "coredns.log"),
        Case(id: "umbrella", fixture: "umbrella.log"),
        Case(id: "umbrella-proxy", fixture: "umbrella-proxy.log"),
        Case(id: "zscaler", fixture: "zscaler.log"),
        Case(id: "paloalto", fixture: "paloalto.log"),
        Case(id: "zeek", fixture: "zeek.log"),
        Case(
            id: "csv", fixture: "csv.log",
            options: FormatOptions(
                fields: [
                    "time": "Timestamp", "client": "Client IP", "user": "User", "method": "Method", "url": "URL",
                    "status": "Status", "action": "Action",
                ], header: true)),
        Case(
            id: "tsv", fixture: "tsv.log",
            options: FormatOptions(
                fields: ["time": "1", "client": "2", "host": "3", "qtype": "4", "rcode": "5", "action": "6"], kind: .dns,
                timeFormat: "epoch")),
        Case(id: "zeek-json", fixture: "zeek-json.log"),
        Case(id: "suricata", fixture: "suricata.log"),
        Case(id: "zscaler-json", fixture: "zscaler-json.log"),
        Case(
            id: "json", fixture: "json.log",
            options: FormatOptions(
                fields: [
                    "time": "ts", "client": "request.client_ip", "user": "user_id", "host": "request.host",
                    "url": "request.uri", "method": "request.method", "status": "status",
                ], timeFormat: "epoch")),
        Case(id: "squid-common", fixture: "squid-common.log"),
        Case(id: "nginx-forward-proxy", fixture: "nginx-forward-proxy.log"),
        Case(id: "haproxy-http", fixture: "haproxy-http.log"),
        Case(id: "pihole", fixture: "pihole.log"),
        Case(id: "technitium", fixture: "technitium.log"),
    ]

    /// Leading lines that are a header without a `#` (a CSV's column names).
    static let headerLines: [String: Int] = ["csv": 1]

    let lines: Int
    let catalog: ParserCatalog

    func run() throws {
        print("parser throughput, one core, parse step only (\(lines) lines each: the fixture's lines repeated;")
        print("for #-header formats the header once, then its block's data lines):")
        print("format                 lines/s      visits   skipped   fixture")
        for benchCase in Self.cases where catalog.contains(benchCase.id) {
            let text = try String(contentsOfFile: Self.fixtures + benchCase.fixture, encoding: .utf8)
            var source = text.split(separator: "\n", omittingEmptySubsequences: true).map { Array($0.utf8) }
            guard !source.isEmpty else { continue }
            // Header-driven formats see their header once, as in a real file, then the data
            // lines of its first block repeated (a header on every 30th line would measure the
            // header's setup, not the format).
            var header: [[UInt8]] = []
            if let headerCount = Self.headerLines[benchCase.id] ?? (source[0].first == UInt8(ascii: "#") ? nil : 0) {
                header = Array(source.prefix(headerCount))
                source = Array(source.dropFirst(headerCount))
            } else {
                let count = source.prefix { $0.first == UInt8(ascii: "#") }.count
                header = Array(source.prefix(count))
                source = Array(source.dropFirst(count).prefix { $0.first != UInt8(ascii: "#") })
            }
            // One buffer with every line, as the line reader hands them out of a read chunk.
            var buffer: [UInt8] = []
            var ranges: [Range<Int>] = []
            for line in header {
                ranges.append(buffer.count..<(buffer.count + line.count))
                buffer += line
                buffer.append(0x0A)
            }
            for k in 0..<(lines - header.count) {
                let line = source[k % source.count]
                ranges.append(buffer.count..<(buffer.count + line.count))
                buffer += line
                buffer.append(0x0A)
            }
            let context = ParserContext(referenceTimeMillis: 1_795_953_600_000, timeZone: .utc)
            let parser = try catalog.make(benchCase.id, context: context, options: benchCase.options)
            var measure = Measure(buffer: buffer, ranges: ranges)
            var best = Result(seconds: .infinity, visits: 0, skipped: 0)
            for _ in 0..<3 {
                let result = ParserCatalog.open(parser, with: &measure)
                if result.seconds < best.seconds { best = result }
            }
            let rate = Int(Double(lines) / best.seconds)
            print(
                benchCase.id.padded(22) + String(rate).leftPadded(10) + String(best.visits).leftPadded(12)
                    + String(best.skipped).leftPadded(10) + "   " + benchCase.fixture)
        }
    }

    struct Result {
        var seconds: Double
        var visits: Int
        var skipped: Int
    }

    struct Measure: ParserVisitor {
        let buffer: [UInt8]
        let ranges: [Range<Int>]

        func visit<P: LogParser>(_ parser: P) -> Result {
            var parser = parser
            var event = LogEvent()
            var visits = 0
            var skipped = 0
            var checksum = 0
            let start = DispatchTime.now().uptimeNanoseconds
            buffer.withUnsafeBytes { all in
                for range in ranges {
                    event.reset()
                    if parser.parse(UnsafeRawBufferPointer(rebasing: all[range]), into: &event) == nil {
                        visits += 1
                        checksum &+= event.host.count
                    } else {
                        skipped += 1
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if checksum == -1 { print("") }  // keeps the host ranges alive for the optimizer
            return Result(seconds: seconds, visits: visits, skipped: skipped)
        }
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
