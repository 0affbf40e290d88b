import Foundation
import LogParsing
import Testing

/// The problems of a definition text, as `file:line: message`; empty when it loads.
private func problems(_ text: String, file: String = "parsers/my-proxy.toml") -> [String] {
    do {
        _ = try ParserDefinition.parse(text, file: file, builtinIDs: ParserRegistry.builtinIDs)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

private let valid = """
    kind = "proxy"
    regex = '^(?<time>\\S+) (?<client>\\S+) (?<host>\\S+)$'
    time_format = "iso8601"

    """

/// A fresh empty directory under the system's temporary directory.
private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "hostwatch-parsers-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Parser definitions")
struct ParserDefinitionTests {
    @Test func minimalDefinition() throws {
        let d = try ParserDefinition.parse(valid, file: "parsers/my-proxy.toml", builtinIDs: ParserRegistry.builtinIDs)
        #expect(d.id == "my-proxy")
        #expect(d.description == "")
        #expect(d.kind == .proxy)
        #expect(d.fieldGroups.map(\.field) == [.time, .client, .host])
        #expect(d.skip == nil)
        #expect(d.timeZone == nil)
        #expect(d.limits == .defaults)
        #expect(d.samples.isEmpty)
        #expect(d.file == "parsers/my-proxy.toml")
    }

    @Test func everyKey() throws {
        let text = """
            id = "edge.proxy_2"
            description = "The edge proxy"
            kind = "dns"
            regex = '''
            (?x) ^(?<time>\\S+) [ ] (?<client>\\S+) [ ] (?<url>\\S+)
            '''
            skip = '^#'
            time_format = "%Y-%m-%dT%H:%M:%S"
            timezone = "+01:00"
            match_limit = 5000
            depth_limit = 200
            heap_limit = 128

            [[sample]]
            line = '2026-11-29T04:45:04 10.0.0.1 http://a.example/'
            time = "2026-11-29T03:45:04Z"
            host = "a.example"
            client = "10.0.0.1"
            url = "http://a.example/"
            kind = "dns"

            [[sample]]
            line = '# comment'
            skip = "not_a_visit"

            """
        let d = try ParserDefinition.parse(text, file: "x.toml", builtinIDs: ParserRegistry.builtinIDs)
        #expect(d.id == "edge.proxy_2")
        #expect(d.description == "The edge proxy")
        #expect(d.kind == .dns)
        #expect(d.skip?.pattern == "^#")
        #expect(d.timeFormat.spec == "%Y-%m-%dT%H:%M:%S")
        #expect(d.timeZone == .fixed(seconds: 3600))
        #expect(d.limits == PCRE2Limits(matchLimit: 5000, depthLimit: 200, heapLimitKiB: 128))
        #expect(
            d.samples == [
                ParserSample(
                    line: "2026-11-29T04:45:04 10.0.0.1 http://a.example/", sourceLine: 14,
                    expected: .visit(
                        SampleFields(
                            kind: .dns, timeMillis: 1_795_923_904_000, host: "a.example", client: "10.0.0.1",
                            url: "http://a.example/"))),
                ParserSample(line: "# comment", sourceLine: 22, expected: .skip(.notAVisit)),
            ])
        #expect(SampleCheck.run(d).allSatisfy { $0.passed })
    }

    @Test func missingKeys() {
        #expect(
            problems("") == [
                "parsers/my-proxy.toml:1: kind is required: \"proxy\" or \"dns\"",
                "parsers/my-proxy.toml:1: regex is required: a PCRE2 pattern with named groups such as (?<host>...)",
                "parsers/my-proxy.toml:1: time_format is required: iso8601, epoch, epoch_millis, epoch_micros or a pattern like \"%d/%b/%Y:%H:%M:%S %z\"",
            ])
    }

    @Test func regexThatDoesNotCompileNamesPCRE2sMessageAndOffset() {
        #expect(
            problems(valid.replacingOccurrences(of: #"(?<host>\S+)$'"#, with: #"(?<host>\S+$'"#)) == [
                "parsers/my-proxy.toml:2: regex does not compile: missing closing parenthesis at offset 41"
            ])
        #expect(
            problems(valid.replacingOccurrences(of: "(?<host>", with: "(?<host>[")) == [
                "parsers/my-proxy.toml:2: regex does not compile: missing terminating ] for character class at offset 43"
            ])
    }

    @Test func compileErrorInAMultiLinePatternPointsAtItsLine() {
        let text = """
            kind = "proxy"
            time_format = "iso8601"
            regex = '''
            (?x)
              ^(?<time>\\S+) [ ]
              (?<client>[z-a]) [ ]
              (?<host>\\S+)
            '''

            """
        #expect(
            problems(text) == [
                "parsers/my-proxy.toml:6: regex does not compile: range out of order in character class at offset 40"
            ])
    }

    @Test func unknownAndMissingGroups() {
        #expect(
            problems(valid.replacingOccurrences(of: "(?<host>", with: "(?<hots>")) == [
                "parsers/my-proxy.toml:2: regex has a group named 'hots', which is not a field; fields: time, client, user, host, url, method, status, action, qtype, rcode (names starting with _ are free)",
                "parsers/my-proxy.toml:2: regex needs a (?<host>...) or a (?<url>...) group",
            ])
        #expect(
            problems(valid.replacingOccurrences(of: "(?<time>", with: "(?<_time>").replacingOccurrences(of: "(?<client>", with: "(")) == [
                "parsers/my-proxy.toml:2: regex needs a (?<time>...) group",
                "parsers/my-proxy.toml:2: regex needs a (?<client>...) group",
            ])
        // A url group is enough, and _names are free.
        #expect(problems(valid.replacingOccurrences(of: "(?<host>", with: "(?<url>")).isEmpty)
    }

    @Test func badTimeFormatAndZone() {
        #expect(
            problems(valid.replacingOccurrences(of: "\"iso8601\"", with: "\"%d/%B/%Y\"")) == [
                "parsers/my-proxy.toml:3: time_format: time format '%d/%B/%Y': unknown directive %B at column 4"
            ])
        #expect(
            problems(valid.replacingOccurrences(of: "\"iso8601\"", with: "\"%H:%M\"")) == [
                "parsers/my-proxy.toml:3: time_format: time format '%H:%M': needs at least a month (%m or %b), a day (%d or %e) and an hour (%H or %I)"
            ])
        #expect(
            problems(valid + "timezone = \"CET\"\n") == [
                "parsers/my-proxy.toml:4: timezone must be local, UTC or an offset like +01:00, not \"CET\""
            ])
    }

    @Test func idProblems() {
        #expect(
            problems(valid + "id = \"squid\"\n") == [
                "parsers/my-proxy.toml:4: id 'squid' is taken by a built-in format; choose another (set id = \"...\")"
            ])
        #expect(
            problems(valid, file: "parsers/auto.toml") == [
                "parsers/auto.toml:1: id 'auto' is taken by a built-in format; choose another (set id = \"...\")"
            ])
        #expect(
            problems(valid + "id = \"My Proxy\"\n") == [
                "parsers/my-proxy.toml:4: id must be lower-case letters, digits, '-', '_' or '.' (starting with a letter or digit), not \"My Proxy\""
            ])
    }

    @Test func wrongTypesUnknownKeysAndLimits() {
        let text = """
            kind = "http"
            regex = 42
            time_format = "iso8601"
            match_limit = 0
            depth_limit = "deep"
            heap_limit = 16
            regexp = 'x'

            """
        #expect(
            problems(text) == [
                "parsers/my-proxy.toml:7: unknown key 'regexp'; known keys: id, description, kind, regex, skip, time_format, timezone, match_limit, depth_limit, heap_limit, sample",
                "parsers/my-proxy.toml:1: kind must be \"proxy\" or \"dns\", not \"http\"",
                "parsers/my-proxy.toml:2: regex must be a string, not integer",
                "parsers/my-proxy.toml:4: match_limit must be between 1 and 100000000, not 0",
                "parsers/my-proxy.toml:5: depth_limit must be an integer, not string",
                "parsers/my-proxy.toml:6: heap_limit must be between 64 and 1048576, not 16",
            ])
        #expect(
            problems(valid + "skip = '(unclosed'\n") == [
                "parsers/my-proxy.toml:4: skip does not compile: missing closing parenthesis at offset 9"
            ])
    }

    @Test func badSamples() {
        let text =
            valid + """

                [[sample]]
                line = '2026-11-29T03:45:04Z 10.0.0.1 a.example'
                hots = "a.example"
                time = "2026-11-29T03:45:04Z"
                client = "10.0.0.1"

                [[sample]]
                line = 'x'
                skip = "comment"

                [[sample]]
                line = 'x'
                skip = "not_a_visit"
                host = "a.example"

                [[sample]]
                line = 'x'
                time = "29/Nov/2026"
                host = "a.example"
                client = "10.0.0.1"
                kind = "web"

                [[sample]]
                host = "a.example"
                client = "10.0.0.1"
                time = "2026-11-29T03:45:04Z"

                """
        #expect(
            problems(text) == [
                "parsers/my-proxy.toml:7: unknown key 'hots' in [[sample]] at line 5; known keys: line, skip, kind, time, host, client, user, method, url, status, action, qtype, rcode",
                "parsers/my-proxy.toml:5: a visit [[sample]] needs host, client and time (missing: host); a line that is no visit needs skip = \"...\"",
                "parsers/my-proxy.toml:13: skip in [[sample]] at line 11 must be one of not_a_visit, malformed, bad_time, no_host, match_limit, not \"comment\"",
                "parsers/my-proxy.toml:15: a [[sample]] with skip = \"not_a_visit\" lists no fields (it has host)",
                "parsers/my-proxy.toml:25: kind in [[sample]] at line 20 must be \"proxy\" or \"dns\", not \"web\"",
                "parsers/my-proxy.toml:22: time in [[sample]] at line 20 must be RFC 3339 like 2026-11-29T03:45:04.123Z, not \"29/Nov/2026\"",
                "parsers/my-proxy.toml:27: [[sample]] needs line = '...' (a log line)",
            ])
    }

    @Test func tomlSyntaxError() {
        #expect(
            problems(valid + "regex = 'again'\n") == [
                "parsers/my-proxy.toml:4: duplicate key 'regex' (first defined at 2:1)"
            ])
    }

    @Test func codeBuiltDefinitionsThrowTheFirstProblem() {
        #expect(throws: FormatError("regex needs a (?<client>...) group")) {
            try ParserDefinition(id: "x", kind: .proxy, regex: #"(?<time>\d+) (?<host>\S+)"#, timeFormat: "epoch")
        }
        #expect(throws: FormatError("skip does not compile: missing closing parenthesis at offset 1")) {
            try ParserDefinition(
                id: "x", kind: .proxy, regex: #"(?<time>\d+) (?<client>\S+) (?<host>\S+)"#, skip: "(",
                timeFormat: "epoch")
        }
        #expect(throws: FormatError("time format '%Q': unknown directive %Q at column 1")) {
            try ParserDefinition(
                id: "x", kind: .proxy, regex: #"(?<time>\d+) (?<client>\S+) (?<host>\S+)"#, timeFormat: "%Q")
        }
    }

    @Test func directoryLoadsEveryTomlFileAndReportsTheOthersProblems() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try valid.write(toFile: dir + "/a-proxy.toml", atomically: true, encoding: .utf8)
        try (valid + "id = \"a-proxy\"\n").write(toFile: dir + "/b.toml", atomically: true, encoding: .utf8)
        try "kind = \"dns\"\n".write(toFile: dir + "/c.toml", atomically: true, encoding: .utf8)
        try (valid + "description = \"d\"\n").write(toFile: dir + "/d.toml", atomically: true, encoding: .utf8)
        try "not loaded".write(toFile: dir + "/template.toml.example", atomically: true, encoding: .utf8)
        try "not loaded".write(toFile: dir + "/README.md", atomically: true, encoding: .utf8)
        let (definitions, problems) = ParserDefinition.load(directory: dir, builtinIDs: ParserRegistry.builtinIDs)
        #expect(definitions.map(\.id) == ["a-proxy", "d"])
        #expect(definitions.map(\.file) == [dir + "/a-proxy.toml", dir + "/d.toml"])
        #expect(
            problems.map(\.description) == [
                "\(dir)/b.toml:4: id 'a-proxy' is already used by \(dir)/a-proxy.toml",
                "\(dir)/c.toml:1: regex is required: a PCRE2 pattern with named groups such as (?<host>...)",
                "\(dir)/c.toml:1: time_format is required: iso8601, epoch, epoch_millis, epoch_micros or a pattern like \"%d/%b/%Y:%H:%M:%S %z\"",
            ])
    }

    @Test func missingDirectoryAndFile() {
        let (definitions, problems) = ParserDefinition.load(
            directory: "/nonexistent/parsers", builtinIDs: ParserRegistry.builtinIDs)
        #expect(definitions.isEmpty)
        #expect(problems.map(\.description) == ["/nonexistent/parsers: cannot open directory: No such file or directory"])
        #expect(throws: DefinitionError(problems: [
            DefinitionProblem(file: "/nonexistent/x.toml", line: 0, message: "cannot read: No such file or directory")
        ])) {
            try ParserDefinition.load(file: "/nonexistent/x.toml", builtinIDs: [])
        }
    }
}
