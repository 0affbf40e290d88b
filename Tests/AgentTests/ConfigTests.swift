import BlockRules
import Foundation
import LogParsing
import Testing

@testable import Agent

/// `hostwatch run`'s configuration: every problem with its line, defaults, relative paths.
@Suite struct ConfigTests {
    @Test func fullConfigReadsEveryKey() throws {
        let text = """
            state_dir = "/var/lib/hostwatch"
            [[source]]
            name = "squid"
            paths = ["/var/log/squid/access.log", "logs/*.log"]
            format = "squid"
            start_at = "beginning"
            time_zone = "+01:00"
            max_line_bytes = 4096
            [watchlist]
            files = ["rules/watched.txt"]
            allow = ["/etc/hostwatch/allow.txt"]
            [[sink]]
            type = "jsonl"
            path = "hits.jsonl"
            fsync = "always"
            on_error = "drop"
            [[sink]]
            type = "stdout"
            [api]
            listen = "[::1]:9470"
            [tail]
            poll_interval = "250ms"
            checkpoint_interval = "2s"
            rotate_wait = "1m"
            partial_line_wait = "3s"
            """
        let config = try ConfigLoader.parse(text, file: "/etc/hostwatch/hostwatch.toml", baseDirectory: "/etc/hostwatch")
        #expect(config.stateDirectory == "/var/lib/hostwatch")
        #expect(
            config.sources == [
                DaemonConfig.Source(
                    name: "squid", paths: ["/var/log/squid/access.log", "/etc/hostwatch/logs/*.log"], format: "squid",
                    startAtEnd: false, timeZone: .fixed(seconds: 3600), maxLineBytes: 4096)
            ])
        #expect(config.watchFiles == ["/etc/hostwatch/rules/watched.txt"])
        #expect(config.allowFiles == ["/etc/hostwatch/allow.txt"])
        #expect(
            config.sinks == [
                DaemonConfig.Sink(kind: .jsonl(path: "/etc/hostwatch/hits.jsonl", fsync: .always), onError: .drop),
                DaemonConfig.Sink(kind: .stdout, onError: .block),
            ])
        #expect(config.listen == "[::1]:9470")
        #expect(config.pollIntervalMillis == 250)
        #expect(config.checkpointIntervalMillis == 2000)
        #expect(config.rotateWaitMillis == 60_000)
        #expect(config.partialLineWaitMillis == 3000)
    }

    @Test func defaultsAndTheBuiltInConfig() throws {
        let config = try ConfigLoader.parse(
            "state_dir = \"s\"\n[[source]]\nname = \"a\"\npaths = [\"a.log\"]\n[watchlist]\nfiles = [\"w.txt\"]\n",
            file: "c.toml", baseDirectory: nil)
        #expect(config.sources[0].format == "auto")
        #expect(config.sources[0].startAtEnd)
        #expect(config.sources[0].timeZone == .local)
        #expect(config.sources[0].maxLineBytes == 65536)
        #expect(config.sinks == [DaemonConfig.Sink(kind: .stdout, onError: .block)])
        #expect(config.listen == "127.0.0.1:9470")
        #expect(config.checkpointIntervalMillis == 1000)
        let builtIn = try ConfigLoader.load(path: nil)
        #expect(builtIn.sources.map(\.paths) == [["rules/samples/*.log"]])
        #expect(builtIn.watchFiles == ["rules/watched.txt"])
        #expect(builtIn.stateDirectory == "state")
    }

    @Test func everyProblemIsReportedWithItsLine() {
        let text = """
            state_dir = "state"
            colour = "blue"
            [[source]]
            name = "squid"
            paths = "/var/log/squid/access.log"
            format = "squidd"
            start_at = "middle"
            [[source]]
            name = "squid"
            paths = ["/var/log/b.log"]
            max_line_bytes = 10
            [watchlist]
            files = []
            [[sink]]
            type = "jsonl"
            path = "hits.jsonl"
            fsnyc = "always"
            [[sink]]
            type = "kafka"
            [api]
            listen = "localhost"
            [tail]
            rotate_wait = "soon"
            """
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "h.toml", baseDirectory: nil) }
        do {
            _ = try ConfigLoader.parse(text, file: "h.toml", baseDirectory: nil)
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "h.toml:2: unknown key 'colour'; known keys: state_dir, parsers_dir, source, watchlist, sink, blocklist, public_suffix_list, index, api, tail",
                    "h.toml:5: paths in [[source]] at line 3 must be an array of strings, not string",
                    "h.toml:6: unknown format 'squidd'; known: auto, " + ParserRegistry.builtinIDs.joined(separator: ", "),
                    "h.toml:7: start_at must be \"end\" or \"beginning\", not \"middle\"",
                    "h.toml:9: a second source named 'squid'",
                    "h.toml:11: max_line_bytes must be between 256 and 67108864",
                    "h.toml:12: [watchlist] files must name at least one watch list",
                    "h.toml:17: unknown key 'fsnyc' in [[sink]] at line 14; known keys: type, path, fsync, on_error",
                    "h.toml:19: unknown sink type 'kafka'; known: jsonl, stdout",
                    "h.toml:21: listen must be host:port (like 127.0.0.1:9470), or \"\" to turn the endpoint off",
                    "h.toml:23: rotate_wait must be a duration like \"250ms\", \"1s\" or \"5m\", not \"soon\"",
                ])
        }
    }

    @Test func tomlSyntaxErrorsCarryTheirLine() {
        do {
            _ = try ConfigLoader.parse("state_dir = \"s\"\n[[source]\nname = 1\n", file: "x.toml", baseDirectory: nil)
            Issue.record("no error")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].file == "x.toml")
            #expect(error.problems[0].line == 2)
        }
    }

    @Test func requiredPartsMissing() {
        do {
            _ = try ConfigLoader.parse("", file: "e.toml", baseDirectory: nil)
            Issue.record("no error")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "e.toml:1: state_dir is required (where checkpoints are kept)",
                    "e.toml:1: at least one [[source]] is required",
                    "e.toml:1: [watchlist] with files = [...] is required",
                ])
        }
    }

    @Test func checkConfigCommand() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "evil.test\n".write(to: dir.appendingPathComponent("watched.txt"), atomically: true, encoding: .utf8)
        try "x\n".write(to: dir.appendingPathComponent("app.log"), atomically: true, encoding: .utf8)
        let good = """
            state_dir = "state"
            [[source]]
            name = "app"
            paths = ["app.log", "later/*.log"]
            [watchlist]
            files = ["watched.txt"]
            """
        try good.write(to: dir.appendingPathComponent("good.toml"), atomically: true, encoding: .utf8)
        let ok = try runHostwatch(["check-config", dir.appendingPathComponent("good.toml").path])
        #expect(ok.status == 0)
        #expect(
            ok.stdoutText == """
                watchlists: 1 watched, 0 allowed, 0 duplicates
                source app: \(dir.path)/app.log: 1 file(s)
                source app: \(dir.path)/later/*.log: no file yet (it is picked up when it appears)
                \(dir.path)/good.toml: OK

                """)

        try "evil.test\nnot a domain\n".write(to: dir.appendingPathComponent("watched.txt"), atomically: true, encoding: .utf8)
        let bad = good.replacingOccurrences(of: "name = \"app\"", with: "name = \"app\"\nformat = \"zeekk\"")
        try bad.write(to: dir.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
        let failed = try runHostwatch(["check-config", dir.appendingPathComponent("bad.toml").path])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("\(dir.path)/bad.toml:4: unknown format 'zeekk'"))
        #expect(failed.stderr.hasSuffix("\(dir.path)/bad.toml: 1 problem(s)\n"))

        try good.write(to: dir.appendingPathComponent("good.toml"), atomically: true, encoding: .utf8)
        let badList = try runHostwatch(["check-config", dir.appendingPathComponent("good.toml").path])
        #expect(badList.status == 1)
        #expect(badList.stderr.contains("\(dir.path)/watched.txt:2:"))
    }

    @Test func tokenFileProblemsNameThePathAndTheLine() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "\n  \n".write(to: dir.appendingPathComponent("empty"), atomically: true, encoding: .utf8)
        try "short\n".write(to: dir.appendingPathComponent("short"), atomically: true, encoding: .utf8)
        try "two words-0123456789\n".write(to: dir.appendingPathComponent("words"), atomically: true, encoding: .utf8)
        func problems(_ api: String) -> [String] {
            let text = "state_dir = \"s\"\n[[source]]\nname = \"a\"\npaths = [\"a.log\"]\n[watchlist]\nfiles = [\"w.txt\"]\n[api]\n" + api
            do {
                _ = try ConfigLoader.parse(text, file: "c.toml", baseDirectory: dir.path)
                return []
            } catch {
                return error.problems.map(\.description)
            }
        }
        #expect(problems("token_file = \"missing\"\n") == [
            "c.toml:8: token_file: cannot open \(dir.path)/missing: No such file or directory (errno 2)"
        ])
        #expect(problems("token_file = \"empty\"\n") == ["c.toml:8: token_file \(dir.path)/empty is empty"])
        #expect(problems("token_file = \"short\"\n") == [
            "c.toml:8: token_file \(dir.path)/short holds a token shorter than 16 characters (try openssl rand -hex 32)"
        ])
        #expect(problems("token_file = \"words\"\n") == [
            "c.toml:8: token_file \(dir.path)/words must hold one token of printable ASCII without spaces (like the output of openssl rand -hex 32)"
        ])
        #expect(problems("token_file = \"/\"\n") == ["c.toml:8: token_file: cannot read /: is a directory"])
    }

    @Test func listeningBeyondLoopbackNeedsATokenFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "0123456789abcdef0123\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        func problems(_ api: String) -> [String] {
            let text = "state_dir = \"s\"\n[[source]]\nname = \"a\"\npaths = [\"a.log\"]\n[watchlist]\nfiles = [\"w.txt\"]\n[api]\n" + api
            do {
                _ = try ConfigLoader.parse(text, file: "c.toml", baseDirectory: dir.path)
                return []
            } catch {
                return error.problems.map(\.description)
            }
        }
        for loopback in ["127.0.0.1:9470", "127.1.2.3:80", "[::1]:9470", "localhost:9470"] {
            #expect(problems("listen = \"\(loopback)\"\n") == [], "\(loopback)")
        }
        for open in ["0.0.0.0:9470", "[::]:9470", "192.0.2.7:9470", "hostwatch.example:9470", "127.0.0.1.example:80"] {
            #expect(problems("listen = \"\(open)\"\n") == [
                "c.toml:8: listen = \"\(open)\" is not a loopback address and no token_file is set: the API would let anyone on the network read the index; set token_file, or listen on 127.0.0.1"
            ], "\(open)")
            #expect(problems("listen = \"\(open)\"\ntoken_file = \"token\"\n") == [], "\(open)")
        }
    }

    @Test func checkConfigLoadsTheAPIWatchlist() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("state"), withIntermediateDirectories: true)
        try "evil.test\n".write(to: dir.appendingPathComponent("watched.txt"), atomically: true, encoding: .utf8)
        try "# added by the API\nphish.example list=phish risk=80\n=login.bank.test\n".write(
            to: dir.appendingPathComponent("state/api-watchlist.txt"), atomically: true, encoding: .utf8)
        let text = "state_dir = \"state\"\n[[source]]\nname = \"a\"\npaths = [\"a.log\"]\n[watchlist]\nfiles = [\"watched.txt\"]\n"
        try text.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let result = try runHostwatch(["check-config", dir.appendingPathComponent("c.toml").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.hasPrefix("watchlists: 3 watched, 0 allowed, 0 duplicates\n"))
        // The loader's rules hold for it too.
        try "bad..name\n".write(to: dir.appendingPathComponent("state/api-watchlist.txt"), atomically: true, encoding: .utf8)
        let bad = try runHostwatch(["check-config", dir.appendingPathComponent("c.toml").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(dir.path)/state/api-watchlist.txt:1: 'bad..name' is not a valid name"))
    }

    @Test func runRefusesABadConfigWithExitTwo() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "state_dir = 5\n".write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let result = try runHostwatch(["run", "--config", dir.appendingPathComponent("c.toml").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(dir.path)/c.toml:1: state_dir must be a string, not integer"))
    }
}

@Suite struct ShippedConfigTests {
    /// The production config in deploy/ and the embedded default both load without errors.
    @Test func deployConfigLoads() throws {
        let path = repositoryRoot.appendingPathComponent("deploy/hostwatch.toml").path
        let config = try ConfigLoader.load(path: path)
        #expect(config.stateDirectory == "/var/lib/hostwatch")
        #expect(config.watchFiles == ["/etc/hostwatch/rules/watched.txt"])
        #expect(config.listen == "127.0.0.1:9470")
        #expect(!config.sources.isEmpty)
    }

    /// Every commented [[source]] example in deploy/hostwatch.toml loads once uncommented, with
    /// the repository's parsers/ as the parsers directory (as install.sh puts it in /etc).
    @Test func deploySourceExamplesLoad() throws {
        let path = repositoryRoot.appendingPathComponent("deploy/hostwatch.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var uncommented = ""
        var inSource = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "# [[source]]" { inSource = true }
            if line.isEmpty || line.hasPrefix("# ---") { inSource = false }
            uncommented += (inSource ? String(line.dropFirst(2)) : String(line)) + "\n"
        }
        let config = try ConfigLoader.parse(uncommented, file: path, baseDirectory: repositoryRoot.path)
        #expect(
            config.sources.map(\.format) == ["squid", "bind9", "unbound", "dnsmasq", "zeek", "squid-logformat", "json"])
        #expect(config.catalog.definition("pihole") != nil)
        #expect(config.sources[6].options.fields["client"] == "src.ip")
        #expect(config.sources[6].options.timeFormat == "iso8601")
    }

    /// Every commented [[blocklist]] example in deploy/hostwatch.toml loads once uncommented.
    @Test func deployBlocklistExamplesLoad() throws {
        let path = repositoryRoot.appendingPathComponent("deploy/hostwatch.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var uncommented = ""
        var inBlocklist = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "# [[blocklist]]" { inBlocklist = true }
            if line.isEmpty || line.hasPrefix("# ---") { inBlocklist = false }
            uncommented += (inBlocklist || line.hasPrefix("# public_suffix_list") ? String(line.dropFirst(2)) : String(line)) + "\n"
        }
        let config = try ConfigLoader.parse(uncommented, file: path, baseDirectory: "/etc/hostwatch")
        #expect(config.blocklists.map(\.target.format.rawValue) == ["squid", "rpz", "unbound", "dnsmasq", "edl"])
        #expect(config.blocklists[0].minRisk == 90)
        #expect(config.blocklists[0].target.validate == ["/usr/local/lib/hostwatch/squid-check-acl", "{}"])
        #expect(config.blocklists[1].target.reload == ["rndc", "reload", "rpz.hostwatch"])
        #expect(config.blocklists[4].target.options.edlMaxLines == 150_000)
    }
}

@Suite struct BlocklistConfigTests {
    @Test func everyProblemIsReportedWithItsLine() {
        let text = """
            state_dir = "s"
            [[source]]
            name = "a"
            paths = ["x.log"]
            [watchlist]
            files = ["w.txt"]
            invalid_entries = "ignore"
            [[blocklist]]
            format = "bind"
            path = "x"
            [[blocklist]]
            format = "rpz"
            [[blocklist]]
            format = "squid"
            path = "blocked.acl"
            policy = "nodata"
            select = "some"
            min_risk = 101
            max_change = 2.0
            colour = "red"
            [[blocklist]]
            format = "rpz"
            path = "z.rpz"
            policy = "redirect"
            timeout = "soon"
            [[blocklist]]
            format = "plain"
            path = "blocked.acl"
            """
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.toml", baseDirectory: nil) }
        do {
            _ = try ConfigLoader.parse(text, file: "c.toml", baseDirectory: nil)
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "c.toml:7: invalid_entries must be \"reject\" or \"skip\", not \"ignore\"",
                    "c.toml:9: unknown blocklist format 'bind'; known: squid, rpz, unbound, dnsmasq, edl, hosts, plain",
                    "c.toml:11: [[blocklist]] needs path = \"...\" (the file to write)",
                    "c.toml:20: unknown key 'colour' in [[blocklist]] at line 13; known keys: format, path, select, min_risk, policy, redirect_to, zone, ttl, max_entries, validate, reload, max_change, change_floor, timeout",
                    "c.toml:17: select must be \"marked\" (action=block, or min_risk) or \"all\", not \"some\"",
                    "c.toml:18: min_risk must be 0 to 100",
                    "c.toml:13: [[blocklist]] blocked.acl: the squid format cannot answer 'nodata'",
                    "c.toml:19: max_change must be a share between 0 and 1 (like 0.5)",
                    "c.toml:24: policy 'redirect' needs redirect_to (an address or a name)",
                    "c.toml:25: timeout must be a duration like \"30s\", not \"soon\"",
                    "c.toml:26: a second [[blocklist]] writes blocked.acl",
                ])
        }
    }
}
