import Foundation
import LogParsing
import SeededRandom
import Testing

/// The repository's `parsers/` directory, found from this file's path
/// (`<root>/Tests/LogParsingTests/ShippedParsersTests.swift`).
private let parsersDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("parsers").path
}()

private func shipped() -> (definitions: [ParserDefinition], problems: [DefinitionProblem]) {
    ParserDefinition.load(directory: parsersDirectory, builtinIDs: ParserRegistry.builtinIDs)
}

private func shippedDefinition(_ id: String) throws -> ParserDefinition {
    try #require(shipped().definitions.first { $0.id == id })
}


@Suite("Shipped parser definitions")
struct ShippedParsersTests {
    @Test func everyFileLoadsWithoutProblems() {
        let (definitions, problems) = shipped()
        #expect(problems.map(\.description) == [])
        #expect(
            definitions.map(\.id) == [
                "haproxy-http", "nginx-forward-proxy", "pihole", "squid-common", "squid-native-regex", "technitium",
            ])
        for definition in definitions {
            #expect(!definition.description.isEmpty, "\(definition.id)")
            #expect(definition.samples.count >= 5, "\(definition.id)")
        }
    }

    @Test func everySamplePasses() {
        let results = shipped().definitions.flatMap { SampleCheck.run($0) }
        #expect(results.count >= 50)
        for result in results where !result.passed {
            Issue.record("\(result)")
        }
    }

    @Test func eachSkipReasonIsShownBySomeSample() {
        var reasons = Set<SkipReason>()
        for definition in shipped().definitions {
            for sample in definition.samples {
                if case .skip(let reason) = sample.expected { reasons.insert(reason) }
            }
        }
        #expect(reasons == [.notAVisit, .malformed, .badTime, .noHost])
    }

    @Test func theTemplateLoadsAndItsSamplesPass() throws {
        let path = parsersDirectory + "/template.toml.example"
        let definition = try ParserDefinition.load(file: path, builtinIDs: ParserRegistry.builtinIDs)
        #expect(definition.id == "template.toml.example" || definition.id == "template")
        #expect(SampleCheck.run(definition).allSatisfy { $0.passed })
    }

    /// How one instance of a shipped definition reads a fixture, line by line.
    private func outcomes(of fixture: String, definition id: String) throws -> [String: Int] {
        var parser = PCRE2Parser(definition: try shippedDefinition(id), context: utcContext)
        var counts: [String: Int] = [:]
        for line in try fixtureLines(fixture) {
            counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
        }
        return counts
    }

    @Test func fixtures() throws {
        #expect(try outcomes(of: "pihole.log", definition: "pihole") == ["visit": 11, "not_a_visit": 21, "malformed": 1])
        #expect(
            try outcomes(of: "haproxy-http.log", definition: "haproxy-http")
                == ["visit": 11, "no_host": 3, "not_a_visit": 5, "malformed": 2])
        #expect(
            try outcomes(of: "technitium.log", definition: "technitium")
                == ["visit": 11, "not_a_visit": 7, "no_host": 1, "malformed": 2])
        #expect(
            try outcomes(of: "nginx-forward-proxy.log", definition: "nginx-forward-proxy")
                == ["visit": 11, "no_host": 3, "malformed": 1, "bad_time": 1])
        // Squid 5.7's own lines (its combined log without the referer and user agent), plus an
        // unparsable request and a line cut short.
        #expect(
            try outcomes(of: "squid-common.log", definition: "squid-common")
                == ["visit": 43, "no_host": 1, "malformed": 1])
    }

    /// The regex version of Squid's native format gives exactly the built-in parser's fields on
    /// every line of a real Squid 5.7 log.
    @Test func squidNativeRegexMatchesTheBuiltInParser() throws {
        let definition = try shippedDefinition("squid-native-regex")
        var regex = PCRE2Parser(definition: definition, context: utcContext)
        var builtin = SquidNativeParser()
        let lines = try fixtureLines("squid-access.log")
        #expect(lines.count == 126)
        for line in lines {
            #expect(parse(line, with: &regex) == parse(line, with: &builtin), "\(line)")
        }
    }

    /// 100 000 mutations of HAProxy lines (the most involved shipped pattern): every line is a
    /// visit or a counted skip, and a visit's ranges lie inside its bytes.
    @Test func fuzzedLinesNeverEscapeTheirBounds() throws {
        let definition = try shippedDefinition("haproxy-http")
        var parser = PCRE2Parser(definition: definition, context: utcContext)
        let seeds = definition.samples.map { Array($0.line.utf8) }
        let alphabet = Array(" []{}|\"/:.-+<>0123456789aAzZ~\t\\\u{0}".utf8) + [0x80, 0xC3, 0xFF]
        var random = SplitMix64(state: 0x5EED)
        var visits = 0
        var skips: [SkipReason: Int] = [:]
        let total = 100_000
        for _ in 0..<total {
            var line = seeds[random.below(seeds.count)]
            for _ in 0...random.below(4) {
                switch random.below(6) {
                case 0 where !line.isEmpty: line[random.below(line.count)] = alphabet[random.below(alphabet.count)]
                case 1: line.insert(alphabet[random.below(alphabet.count)], at: random.below(line.count + 1))
                case 2 where !line.isEmpty: line.remove(at: random.below(line.count))
                case 3: line = Array(line.prefix(random.below(line.count + 1)))
                case 4:
                    let from = random.below(line.count + 1)
                    let count = random.below(min(64, line.count - from) + 1)
                    line.insert(contentsOf: line[from..<(from + count)], at: random.below(line.count + 1))
                default: line[random.below(line.count + 1)..<line.count].reverse()
                }
            }
            line.withUnsafeBytes { raw in
                var event = LogEvent()
                guard let reason = parser.parse(raw, into: &event) else {
                    visits += 1
                    let bytes = event.bytes(raw)
                    #expect(!event.host.isEmpty)
                    let ranges = [event.host, event.client] + [
                        event.user, event.method, event.url, event.status, event.action, event.qtype, event.rcode,
                    ].compactMap { $0 }
                    for range in ranges where range.lowerBound < 0 || range.upperBound > bytes.count {
                        Issue.record("range \(range) outside \(bytes.count) bytes")
                    }
                    return
                }
                skips[reason, default: 0] += 1
            }
        }
        #expect(visits + skips.values.reduce(0, +) == total)
        #expect(visits > 1000)
        #expect(skips[.malformed, default: 0] > 1000)
    }
}
