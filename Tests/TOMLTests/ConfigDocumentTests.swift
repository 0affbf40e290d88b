import TOML
import Testing

/// The shape of document hostwatch reads: `hostwatch run --config hostwatch.toml`.
@Suite("hostwatch config")
struct ConfigDocumentTests {
    static let config = """
        state_dir = "/var/lib/hostwatch"
        [[source]]
        name = "squid"
        paths = ["/var/log/squid/access.log", "/var/log/squid/*.log"]
        format = "squid"
        start_at = "end"
        max_line_bytes = 1_048_576
        [watchlist]
        files = ["rules/watched.txt"]
        allow = []
        [[sink]]
        type = "jsonl"
        path = "hits.jsonl"
        fsync = "checkpoint"
        [api]
        listen = "127.0.0.1:9470"
        [tail]
        poll_interval = "1s"
        """

    @Test func parsesEndToEnd() throws {
        let document = try TOML.parse(Self.config)
        #expect(
            render(document)
                == #"{state_dir: "/var/lib/hostwatch", source: [{name: "squid", "#
                + #"paths: ["/var/log/squid/access.log", "/var/log/squid/*.log"], format: "squid", start_at: "end", "#
                + #"max_line_bytes: 1048576}], watchlist: {files: ["rules/watched.txt"], allow: []}, "#
                + #"sink: [{type: "jsonl", path: "hits.jsonl", fsync: "checkpoint"}], "#
                + #"api: {listen: "127.0.0.1:9470"}, tail: {poll_interval: "1s"}}"#
        )
        #expect(document.keys == ["state_dir", "source", "watchlist", "sink", "api", "tail"])
        #expect(document.entries.map(\.keyPosition.line) == [1, 2, 8, 11, 15, 17])
        #expect(
            document.entries.map(\.node.position) == [at(1, 13), at(2, 1), at(8, 1), at(11, 1), at(15, 1), at(17, 1)]
        )
        #expect(node(document, "source", 0)?.position == at(2, 1))
        #expect(
            node(document, "source", 0, "max_line_bytes") == TOMLNode(value: .integer(1_048_576), position: at(7, 18))
        )
        #expect(
            node(document, "source", 0, "paths", 1)
                == TOMLNode(value: .string("/var/log/squid/*.log"), position: at(4, 39))
        )
        #expect(node(document, "watchlist", "allow") == TOMLNode(value: .array([]), position: at(10, 9)))
        #expect(node(document, "tail", "poll_interval")?.position == at(18, 17))
    }

    /// What the config loader will do with the positions: name the line of an unknown key.
    @Test func unknownKeysAreReportedByLine() throws {
        let text = Self.config.replacingFirst("fsync = ", with: "fsnyc = ")
        let document = try TOML.parse(text)
        let known: [String: Set<String>] = [
            "sink": ["type", "path", "fsync", "on_error"],
            "source": ["name", "paths", "format", "start_at", "time_zone", "max_line_bytes"],
        ]
        var problems: [String] = []
        for section in ["source", "sink"] {
            guard case .array(let elements)? = document[section]?.value else { continue }
            for element in elements {
                guard case .table(let table) = element.value else { continue }
                for entry in table.entries where !known[section]!.contains(entry.key) {
                    problems.append(
                        "hostwatch.toml:\(entry.keyPosition.line): unknown key '\(entry.key)' in [[\(section)]]"
                    )
                }
            }
        }
        #expect(problems == ["hostwatch.toml:14: unknown key 'fsnyc' in [[sink]]"])
    }

    @Test func aTypoInTheConfigIsReportedWithItsPosition() {
        let text = Self.config.replacingFirst("max_line_bytes = 1_048_576", with: "max_line_bytes = 1_048_576_")
        #expect(throws: TOMLError(position: at(7, 18), message: "invalid integer '1_048_576_'")) {
            try TOML.parse(text)
        }
        let twice = Self.config + "\n[api]\nlisten = \"\""
        #expect(throws: TOMLError(position: at(19, 2), message: "table [api] is already defined at 15:2")) {
            try TOML.parse(twice)
        }
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced (no Foundation in these tests).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var result = self
        result.replaceSubrange(range, with: replacement)
        return result
    }
}
