// See SystemdTests.swift for why CDispatch is imported.
import Agent
import CDispatch
import Foundation
import HTTPTypes
import Testing
import Watchlist

#if canImport(Glibc)
import Glibc
#endif

/// The `/v1` HTTP API of the real `hostwatch run`, over a loopback socket: every route with good
/// and bad input, the bearer token, the API's list file across a reload and a restart.
@Suite("HTTP API", .serialized)
struct APITests {
    static let token = "t0ken-for-tests-0123456789abcdef"

    /// A daemon with `[index] enabled` (unless `index` is false) and a token file (unless
    /// `token` is false), its API answering on a free loopback port.
    struct Running {
        let daemon: DaemonHarness
        let port: Int
        let writer: LogWriter
        var dir: String { daemon.dir.path }
        var apiFile: String { dir + "/state/api-watchlist.txt" }
        var watchedFile: String { dir + "/watched.txt" }

        func request(
            _ method: String, _ path: String, token: String? = nil, body: String? = nil, headers: [String: String] = [:]
        ) throws -> HTTPReply {
            var headers = headers
            if let token { headers["Authorization"] = "Bearer " + token }
            return try httpRequest(port: port, method: method, path: path, headers: headers, body: body)
        }

        func get(_ path: String) throws -> HTTPReply { try request("GET", path) }

        func post(_ body: String, token: String? = APITests.token) throws -> HTTPReply {
            try request("POST", "/v1/watchlist", token: token, body: body)
        }

        func delete(_ name: String, token: String? = APITests.token) throws -> HTTPReply {
            try request("DELETE", "/v1/watchlist/" + name, token: token)
        }

        /// Appends one Squid line: `host` visited by `client` as `user` at `seconds`.
        func visit(_ host: String, client: String = "10.0.0.7", user: String = "alice", seconds: Int) {
            writer.writeRaw(
                "\(seconds).250      5 \(client) TCP_MISS/200 365 GET http://\(host)/ \(user) HIER_DIRECT/127.0.0.1 text/html\n")
        }

        /// The lines of the hits file.
        var hitLines: [String] {
            ((try? String(contentsOfFile: daemon.hitsPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func waitForHitLines(_ count: Int, timeout: Double = 20) -> [String] {
            let deadline = Date().addingTimeInterval(timeout)
            while hitLines.count < count, Date() < deadline { usleep(50_000) }
            return hitLines
        }

        func restart() throws {
            #expect(daemon.stop().status == 0)
            try daemon.startAndWait()
            try waitForAPI(port: port, daemon: daemon)
        }
    }

    func start(token: Bool = true, index: Bool = true, listen: String = "127.0.0.1") throws -> Running {
        let port = try freeLoopbackPort()
        let daemon = try DaemonHarness(
            watched: ["evil.test"], api: "\(listen):\(port)", apiOptions: token ? "token_file = \"api-token\"" : "",
            index: "enabled = \(index)")
        try (Self.token + "\n").write(toFile: daemon.dir.appendingPathComponent("api-token").path, atomically: true, encoding: .utf8)
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        try waitForAPI(port: port, daemon: daemon)
        return Running(daemon: daemon, port: port, writer: writer)
    }

    static let header = """
        # hostwatch: watch entries added through the HTTP API (POST /v1/watchlist).
        # Rewritten whole on every change: edit through the API (comments here are not kept).
        # After editing by hand, send the daemon SIGHUP.


        """

    func evilEntry(_ api: Running) -> String {
        #"{"name":"evil.test","exact":false,"list":"watched","tags":[],"risk":null,"action":null,"expires":null,"file":"\#(api.watchedFile)"}"#
    }

    @Test("POST, GET and DELETE /v1/watchlist: the API file, a hit for the new entry, a restart keeps it")
    func watchlistLifecycle() throws {
        let api = try start()
        let evil = evilEntry(api)
        let initial = try api.get("/v1/watchlist")
        #expect(initial.status == 200)
        #expect(initial.headers["content-type"] == "application/json")
        #expect(initial.body == #"{"entries":[\#(evil)],"count":1}"# + "\n")

        let added = try api.post(
            #"{"entries":[{"domain":"Phish.Example.","list":"phish","tags":["kit","x"],"risk":80,"action":"block","expires":"2099-12-31","exact":false},{"domain":"login.bank.test","exact":true}]}"#)
        let phish = #"{"name":"phish.example","exact":false,"list":"phish","tags":["kit","x"],"risk":80,"action":"block","expires":"2099-12-31T00:00:00Z","file":"\#(api.apiFile)"}"#
        let login = #"{"name":"login.bank.test","exact":true,"list":"api-watchlist","tags":[],"risk":null,"action":null,"expires":null,"file":"\#(api.apiFile)"}"#
        #expect(added.status == 200, "\(added.body)")
        #expect(added.body == #"{"added":[\#(phish),\#(login)],"count":2}"# + "\n")
        #expect(
            try String(contentsOfFile: api.apiFile, encoding: .utf8)
                == Self.header + "phish.example list=phish risk=80 tags=kit,x action=block expires=2099-12-31\n=login.bank.test\n")
        #expect(try api.get("/v1/watchlist").body == #"{"entries":[\#(evil),\#(phish),\#(login)],"count":3}"# + "\n")
        #expect(api.daemon.stderr.contains("API: added phish.example, =login.bank.test: reloading"))

        // A visit to the new entry is a hit with its metadata.
        let now = Int(Date().timeIntervalSince1970)
        api.visit("www.phish.example", seconds: now - 60)
        let lines = api.waitForHitLines(1)
        #expect(lines.count == 1)
        let hit = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        #expect(hit["host"] as? String == "www.phish.example")
        #expect(hit["watched"] as? String == "phish.example")
        #expect(hit["list"] as? String == "phish")
        #expect(hit["tags"] as? [String] == ["kit", "x"])
        #expect(hit["risk"] as? Int == 80)

        // Adding it again replaces its metadata, in place.
        let replaced = try api.post(#"{"entries":[{"domain":"phish.example","risk":90,"tags":[]}]}"#)
        let phish90 = #"{"name":"phish.example","exact":false,"list":"api-watchlist","tags":[],"risk":90,"action":null,"expires":null,"file":"\#(api.apiFile)"}"#
        #expect(replaced.body == #"{"added":[\#(phish90)],"count":1}"# + "\n")
        #expect(try String(contentsOfFile: api.apiFile, encoding: .utf8) == Self.header + "phish.example risk=90\n=login.bank.test\n")

        // A restart loads the API file again.
        try api.restart()
        #expect(try api.get("/v1/watchlist").body == #"{"entries":[\#(evil),\#(phish90),\#(login)],"count":3}"# + "\n")

        // Names of a configured list belong to that list.
        let conflict = try api.post(#"{"entries":[{"domain":"a.test"},{"domain":"EVIL.test"}]}"#)
        #expect(conflict.status == 409)
        #expect(conflict.body == #"{"error":"entries[1]: evil.test is already watched from \#(api.watchedFile), which the API cannot change"}"# + "\n")
        let configured = try api.delete("evil.test")
        #expect(configured.status == 409)
        #expect(configured.body == #"{"error":"evil.test comes from \#(api.watchedFile), which the API cannot change; remove it there"}"# + "\n")

        let removed = try api.delete("phish.example")
        #expect(removed.status == 200)
        #expect(removed.body == #"{"removed":[\#(phish90)],"count":1}"# + "\n")
        #expect(try String(contentsOfFile: api.apiFile, encoding: .utf8) == Self.header + "=login.bank.test\n")
        #expect(try api.get("/v1/watchlist").body == #"{"entries":[\#(evil),\#(login)],"count":2}"# + "\n")
        let again = try api.delete("phish.example")
        #expect(again.status == 404)
        #expect(again.body == #"{"error":"phish.example is not in the API watchlist"}"# + "\n")
        // The exact entry is not the domain entry.
        #expect(try api.delete("login.bank.test?exact=false").status == 404)
        #expect(try api.delete("login.bank.test?exact=true").body == #"{"removed":[\#(login)],"count":1}"# + "\n")
        #expect(try String(contentsOfFile: api.apiFile, encoding: .utf8) == Self.header)

        // Gone: a visit to it is no hit any more (the visit to evil.test after it is).
        api.visit("www.phish.example", seconds: now - 50)
        api.visit("www.evil.test", seconds: now - 40)
        let after = api.waitForHitLines(2)
        #expect(after.count == 2)
        #expect(after.last?.contains(#""host":"www.evil.test""#) == true)
        #expect(api.daemon.stop().status == 0)
    }

    @Test("POST and DELETE need the bearer token: 401 without it or with a wrong one, 403 with no token_file")
    func authentication() throws {
        let api = try start()
        let body = #"{"entries":[{"domain":"a.test"}]}"#
        let missing = try api.post(body, token: nil)
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"] == #"Bearer realm="hostwatch""#)
        #expect(missing.body == #"{"error":"this route needs an Authorization: Bearer <token> header"}"# + "\n")
        let wrong = try api.post(body, token: "t0ken-for-tests-0123456789abcdeF")
        #expect(wrong.status == 401)
        #expect(wrong.headers["www-authenticate"] == #"Bearer realm="hostwatch""#)
        #expect(wrong.body == #"{"error":"the bearer token is not valid"}"# + "\n")
        #expect(try api.post(body, token: String(Self.token.dropLast())).status == 401)
        #expect(try api.post(body, token: Self.token + "f").status == 401)
        let basic = try api.request("POST", "/v1/watchlist", body: body, headers: ["Authorization": "Basic YTpi"])
        #expect(basic.status == 401)
        #expect(basic.body == #"{"error":"the Authorization header must be Bearer <token>"}"# + "\n")
        let delete = try api.delete("a.test", token: nil)
        #expect(delete.status == 401)
        #expect(delete.headers["www-authenticate"] == #"Bearer realm="hostwatch""#)
        #expect(try api.delete("a.test", token: "wrong-token-wrong-token").status == 401)
        // Reads on loopback need no token.
        #expect(try api.get("/v1/watchlist").status == 200)
        #expect(!FileManager.default.fileExists(atPath: api.apiFile))
        // A lower-case scheme is the same scheme (RFC 9110).
        let lower = try api.request("POST", "/v1/watchlist", body: body, headers: ["Authorization": "bearer " + Self.token])
        #expect(lower.status == 200)
        #expect(api.daemon.stop().status == 0)

        let open = try start(token: false)
        let forbidden = #"{"error":"changing the watchlist over the API is off: set [api] token_file in the configuration"}"# + "\n"
        let post = try open.post(body)
        #expect(post.status == 403)
        #expect(post.body == forbidden)
        let del = try open.delete("a.test")
        #expect(del.status == 403)
        #expect(del.body == forbidden)
        #expect(try open.get("/v1/watchlist").status == 200)
        #expect(!FileManager.default.fileExists(atPath: open.apiFile))
        #expect(open.daemon.stop().status == 0)
    }

    @Test("beyond loopback the read routes need the token too; /metrics and /healthz do not")
    func readsNeedTheTokenBeyondLoopback() throws {
        let api = try start(listen: "0.0.0.0")
        let missing = try api.get("/v1/watchlist")
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"] == #"Bearer realm="hostwatch""#)
        #expect(try api.get("/v1/hits").status == 401)
        #expect(try api.get("/v1/visited?domain=evil.test").status == 401)
        #expect(try api.request("GET", "/v1/watchlist", token: Self.token).status == 200)
        #expect(try api.get("/healthz").status == 200)
        #expect(try api.get("/metrics").status == 200)
        #expect(api.daemon.stop().status == 0)
    }

    @Test("bad input: 400 with the parameter or entry and the reason; nothing reaches the API file")
    func badInput() throws {
        let api = try start()
        let cases: [(String, String)] = [
            ("not json", "the body is not valid JSON"),
            ("[1]", #"the body must be a JSON object like {\"entries\":[{\"domain\":\"evil.example\"}]}"#),
            (#"{"entries":[{"domain":"a.test"}],"x":1}"#, "unknown field 'x' (known: entries)"),
            (#"{"entries":[]}"#, #"entries must be a non-empty array of objects like {\"domain\":\"evil.example\"}"#),
            (#"{"entries":{"domain":"a.test"}}"#, #"entries must be a non-empty array of objects like {\"domain\":\"evil.example\"}"#),
            (#"{"entries":[1]}"#, "entries[0] must be an object, not 1"),
            (#"{"entries":[{"domian":"a.test"}]}"#, "entries[0]: unknown field 'domian' (known: domain, exact, list, tags, risk, action, expires)"),
            (#"{"entries":[{"risk":5}]}"#, "entries[0]: domain is required"),
            (#"{"entries":[{"domain":5}]}"#, "entries[0]: domain must be a string, not 5"),
            (#"{"entries":[{"domain":""}]}"#, "entries[0]: domain is empty"),
            (
                #"{"entries":[{"domain":"a.test"},{"domain":"bad..example"}]}"#,
                "entries[1]: 'bad..example' is not a valid name: the name has an empty label (leading dot, '..' or more than one trailing dot)"
            ),
            (#"{"entries":[{"domain":"com"}]}"#, "entries[0]: 'com' is a single label: it would match a whole top-level domain"),
            (
                #"{"entries":[{"domain":"evil.example/login"}]}"#,
                "entries[0]: 'evil.example/login' has a '/' but no scheme: give a host name, or a whole URL with its scheme"
            ),
            (#"{"entries":[{"domain":"a*.test"}]}"#, "entries[0]: 'a*.test': '*' is only allowed as a leading '*.' (which means the domain itself)"),
            (#"{"entries":[{"domain":"a.test risk=5"}]}"#, "entries[0]: domain 'a.test risk=5' contains a space, a control character or '#'"),
            (#"{"entries":[{"domain":"a.test#x"}]}"#, "entries[0]: domain 'a.test#x' contains a space, a control character or '#'"),
            (#"{"entries":[{"domain":"=a.test"}]}"#, #"entries[0]: domain '=a.test' starts with '=': say \"exact\": true instead"#),
            (#"{"entries":[{"domain":"a.test","exact":"yes"}]}"#, "entries[0]: exact must be true or false, not a string"),
            (#"{"entries":[{"domain":"a.test","risk":101}]}"#, "entries[0]: risk must be a whole number from 0 to 100, not 101"),
            (#"{"entries":[{"domain":"a.test","risk":-1}]}"#, "entries[0]: risk must be a whole number from 0 to 100, not -1"),
            (#"{"entries":[{"domain":"a.test","risk":80.5}]}"#, "entries[0]: risk must be a whole number from 0 to 100, not 80.5"),
            (#"{"entries":[{"domain":"a.test","risk":"80"}]}"#, "entries[0]: risk must be a whole number from 0 to 100, not a string"),
            (#"{"entries":[{"domain":"a.test","tags":"x"}]}"#, "entries[0]: tags must be an array of strings, not a string"),
            (#"{"entries":[{"domain":"a.test","tags":["ph ish"]}]}"#, "entries[0]: tag 'ph ish' is not a word of [A-Za-z0-9_.:-]"),
            (#"{"entries":[{"domain":"a.test","tags":[""]}]}"#, "entries[0]: tag '' is not a word of [A-Za-z0-9_.:-]"),
            (#"{"entries":[{"domain":"a.test","tags":[1]}]}"#, "entries[0]: tags must hold strings only, not 1"),
            (#"{"entries":[{"domain":"a.test","action":"drop"}]}"#, "entries[0]: action must be 'block' or 'alert', not 'drop'"),
            (
                #"{"entries":[{"domain":"a.test","expires":"tomorrow"}]}"#,
                "entries[0]: expires must be a UTC date (2027-01-31) or moment (2027-01-31T12:00:00Z), not 'tomorrow'"
            ),
            (#"{"entries":[{"domain":"a.test","expires":"2020-01-01"}]}"#, "entries[0]: expires 2020-01-01 has passed: the entry would never apply"),
            (#"{"entries":[{"domain":"a.test","list":"a b"}]}"#, "entries[0]: list must be one word of [A-Za-z0-9_.:-], at most 64 bytes, not 'a b'"),
            (#"{"entries":[{"domain":"a.test"},{"domain":"A.TEST."}]}"#, "entries[1]: a.test is also entries[0]"),
        ]
        for (body, message) in cases {
            let reply = try api.post(body)
            #expect(reply.status == 400, "\(body)")
            #expect(reply.body == #"{"error":"\#(message)"}"# + "\n", "\(body)")
        }
        #expect(!FileManager.default.fileExists(atPath: api.apiFile))

        let queries: [(String, String)] = [
            ("/v1/visited", "domain is required (like domain=evil.example)"),
            (
                "/v1/visited?domain=bad..x",
                "domain: 'bad..x' is not a valid name: the name has an empty label (leading dot, '..' or more than one trailing dot)"
            ),
            ("/v1/visited?domain=10.0.0.1", "domain: '10.0.0.1' is an IP address, not a domain name"),
            ("/v1/visited?domain=evil.test&since=soon", "since must be like 30d, 12h or 2026-11-01, not 'soon'"),
            ("/v1/visited?domain=evil.test&since=2026-02-30", "since must be like 30d, 12h or 2026-11-01, not '2026-02-30'"),
            ("/v1/visited?domain=evil.test&exact=yes", "exact must be true or false, not 'yes'"),
            ("/v1/visited?domain=evil.test&sinse=1d", "unknown parameter 'sinse' (known: domain, since, exact)"),
            ("/v1/hits?limit=0", "limit must be a whole number from 1 to 10000, not '0'"),
            ("/v1/hits?limit=10001", "limit must be a whole number from 1 to 10000, not '10001'"),
            ("/v1/hits?limit=ten", "limit must be a whole number from 1 to 10000, not 'ten'"),
            ("/v1/hits?limit=1&limit=2", "parameter 'limit' is given twice"),
            ("/v1/hits?list=", "list must not be empty (leave it out for every list)"),
            ("/v1/hits?since=-1d", "since must be like 30d, 12h or 2026-11-01, not '-1d'"),
            ("/v1/watchlist?all=1", "unknown parameter 'all' (this route takes none)"),
        ]
        for (path, message) in queries {
            let reply = try api.get(path)
            #expect(reply.status == 400, "\(path)")
            #expect(reply.body == #"{"error":"\#(message)"}"# + "\n", "\(path)")
        }
        let deletes: [(String, String)] = [
            (
                "bad..x",
                "domain: 'bad..x' is not a valid name: the name has an empty label (leading dot, '..' or more than one trailing dot)"
            ),
            ("a%20b.test", "domain: 'a b.test' contains a space, '#' or '=': give the name alone (and ?exact=true for an exact entry)"),
            ("a.test?exact=1", "exact must be true or false, not '1'"),
        ]
        for (name, message) in deletes {
            let reply = try api.delete(name)
            #expect(reply.status == 400, "\(name)")
            #expect(reply.body == #"{"error":"\#(message)"}"# + "\n", "\(name)")
        }
        #expect(api.daemon.stop().status == 0)
    }

    @Test("with [index] enabled = false the index routes answer 503")
    func indexOff() throws {
        let api = try start(index: false)
        let visited = try api.get("/v1/visited?domain=evil.test")
        #expect(visited.status == 503)
        #expect(visited.body == #"{"error":"the visit index is off ([index] enabled = false): /v1/visited has nothing to answer from"}"# + "\n")
        let hits = try api.get("/v1/hits")
        #expect(hits.status == 503)
        #expect(hits.body == #"{"error":"the visit index is off ([index] enabled = false): /v1/hits has nothing to answer from"}"# + "\n")
        #expect(api.daemon.stop().status == 0)
    }

    @Test("/v1/hits returns the hits the daemon wrote, newest first, by list and limit; /v1/visited finds a domain via a subdomain, never a lookalike")
    func hitsAndVisited() throws {
        let api = try start()
        #expect(try api.post(#"{"entries":[{"domain":"phish.example","list":"phish"}]}"#).status == 200)
        let base = Int(Date().timeIntervalSince1970) - 3600
        api.visit("www.evil.test", client: "10.0.0.7", user: "alice", seconds: base)
        api.visit("login.phish.example", client: "10.0.0.8", user: "bob", seconds: base + 1)
        api.visit("notevil.test", client: "10.0.0.9", user: "carol", seconds: base + 2)
        api.visit("cdn.evil.test", client: "10.0.0.7", user: "alice", seconds: base + 3)
        api.visit("www.evil.test", client: "10.0.0.7", user: "alice", seconds: base + 4)
        api.visit("login.phish.example", client: "10.0.0.8", user: "-", seconds: base + 5)
        let written = api.waitForHitLines(5)
        #expect(written.count == 5)

        // The index is written before each checkpoint (about every second).
        var all = try api.get("/v1/hits")
        let deadline = Date().addingTimeInterval(20)
        while !all.body.hasSuffix(",\"count\":5}\n"), Date() < deadline {
            usleep(200_000)
            all = try api.get("/v1/hits")
        }
        #expect(all.status == 200)
        #expect(all.body == #"{"hits":[\#(written.reversed().joined(separator: ","))],"count":5}"# + "\n")
        for line in written { #expect(line.contains(#""id":""#)) }
        let phish = written.filter { $0.contains(#""list":"phish""#) }
        #expect(phish.count == 2)
        #expect(try api.get("/v1/hits?list=phish").body == #"{"hits":[\#(phish.reversed().joined(separator: ","))],"count":2}"# + "\n")
        #expect(try api.get("/v1/hits?list=phish&limit=1").body == #"{"hits":[\#(phish[1])],"count":1}"# + "\n")
        #expect(try api.get("/v1/hits?limit=2").body == #"{"hits":[\#(written[4]),\#(written[3])],"count":2}"# + "\n")
        #expect(try api.get("/v1/hits?list=nothing").body == #"{"hits":[],"count":0}"# + "\n")
        #expect(try api.get("/v1/hits?since=0h").body == #"{"hits":[],"count":0}"# + "\n")

        func time(_ seconds: Int) -> String { rfc3339(Int64(seconds) * 1000 + 250) }
        // Visits are written before each checkpoint too; the last line's visit (no user) is
        // in once every visit is.
        var phishVisits = try api.get("/v1/visited?domain=phish.example&since=2026-01-01")
        while !phishVisits.body.contains(#""user":null"#), Date() < deadline {
            usleep(200_000)
            phishVisits = try api.get("/v1/visited?domain=phish.example&since=2026-01-01")
        }
        #expect(phishVisits.body.contains(#""user":null"#))
        #expect(phishVisits.body.contains(#""user":"bob""#))
        let visited = try api.get("/v1/visited?domain=EVIL.test.&since=2026-01-01")
        #expect(visited.status == 200)
        #expect(
            visited.body
                == #"{"domain":"evil.test","hosts":[{"count":2,"first":"\#(time(base))","host":"www.evil.test","last":"\#(time(base + 4))"},{"count":1,"first":"\#(time(base + 3))","host":"cdn.evil.test","last":"\#(time(base + 3))"}],"since":"2026-01-01T00:00:00.000Z","visited":true,"visitors":[{"client":"10.0.0.7","count":3,"first":"\#(time(base))","hosts":["cdn.evil.test","www.evil.test"],"last":"\#(time(base + 4))","user":"alice"}]}"#
                + "\n")
        // The same bytes as `hostwatch visited --json`.
        let cli = try runHostwatch(["visited", "evil.test", "--since", "2026-01-01", "--json", "--state-dir", api.dir + "/state"])
        #expect(cli.stdoutText == visited.body)
        let lookalike = try api.get("/v1/visited?domain=vil.test&since=2026-01-01")
        #expect(lookalike.body == #"{"domain":"vil.test","hosts":[],"since":"2026-01-01T00:00:00.000Z","visited":false,"visitors":[]}"# + "\n")
        let exact = try api.get("/v1/visited?domain=evil.test&since=2026-01-01&exact=true")
        #expect(exact.body.contains(#""visited":false"#))
        let notevil = try api.get("/v1/visited?domain=notevil.test&since=2026-01-01")
        #expect(notevil.body.contains(#""visitors":[{"client":"10.0.0.9","count":1,"#))
        #expect(api.daemon.stop().status == 0)
    }

    @Test("POST /v1/watchlist of a domain visited before it was watched writes its retro hits, once")
    func postStartsARetroHunt() throws {
        let api = try start()
        let now = Int(Date().timeIntervalSince1970)
        // Visits before the domain is watched: not hits, but in the index.
        api.visit("login.late.test", client: "10.0.0.7", user: "alice", seconds: now - 120)
        api.visit("login.late.test", client: "10.0.0.7", user: "alice", seconds: now - 60)
        api.visit("cdn.late.test", client: "10.0.0.9", user: "-", seconds: now - 30)
        api.visit("notlate.test", client: "10.0.0.9", user: "-", seconds: now - 30)
        // A hit on the watched evil.test marks when the lines above have been read.
        api.visit("www.evil.test", seconds: now - 10)
        #expect(api.waitForHitLines(1).count == 1)
        usleep(1_500_000)  // a checkpoint: the visits are in the index
        #expect(try api.post(#"{"entries":[{"domain":"late.test","list":"late","risk":70}]}"#).status == 200)
        let lines = api.waitForHitLines(3)
        #expect(lines.count == 3)
        let retro = lines.dropFirst().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(Set(retro.map { "\($0["host"] as? String ?? "") \($0["client"] as? String ?? "") \($0["count"] as? Int ?? 0)" })
            == ["login.late.test 10.0.0.7 2", "cdn.late.test 10.0.0.9 1"])
        #expect(retro.allSatisfy { $0["retro"] as? Bool == true && $0["list"] as? String == "late" && $0["risk"] as? Int == 70 })
        // The same entry again (its metadata replaced): nothing new to hunt.
        #expect(try api.post(#"{"entries":[{"domain":"late.test","list":"late","risk":75}]}"#).status == 200)
        usleep(1_500_000)
        #expect(api.hitLines.count == 3)
        // And /v1/hits has them.
        let hits = try api.get("/v1/hits?list=late")
        #expect(hits.body.contains(#""count":2"#), "\(hits.body)")
        #expect(api.daemon.stop().status == 0)
    }

    @Test("every /v1 route the server registers is in deploy/openapi.yaml, and the document has no other")
    func openAPIDocumentsEveryRoute() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/openapi.yaml"), encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1."))
        var documented: Set<String> = []
        var path: String?
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "delete", "patch"].contains(method) { documented.insert("\(method.uppercased()) \(path)") }
            }
        }
        let registered = Set(APIRoute.allCases.map { "\($0.method.rawValue) \($0.path)" })
        #expect(registered.count == APIRoute.allCases.count)
        #expect(registered.subtracting(documented).isEmpty, "not in deploy/openapi.yaml: \(registered.subtracting(documented).sorted())")
        let documentedV1 = documented.filter { $0.contains(" /v1/") }
        #expect(documentedV1 == registered, "documented but not served: \(documentedV1.subtracting(registered).sorted())")
        #expect(documented.isSuperset(of: ["GET /metrics", "GET /healthz"]))
    }

    @Test("the token compares whole: a prefix, a longer text or one changed byte is not the token")
    func tokenComparison() throws {
        let config = try ConfigLoader.parse(
            "state_dir = \"s\"\n[[source]]\nname = \"a\"\npaths = [\"a.log\"]\n[watchlist]\nfiles = [\"w.txt\"]\n",
            file: "c.toml", baseDirectory: nil)
        #expect(config.apiToken == nil)
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "  \(Self.token)\r\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let withToken = try ConfigLoader.parse(
            "state_dir = \"s\"\n[[source]]\nname = \"a\"\npaths = [\"a.log\"]\n[watchlist]\nfiles = [\"w.txt\"]\n[api]\ntoken_file = \"token\"\n",
            file: "c.toml", baseDirectory: dir.path)
        let token = try #require(withToken.apiToken)
        #expect(token.path == dir.path + "/token")
        #expect(token.matches(Self.token))
        #expect(!token.matches(Self.token.dropLast()))
        #expect(!token.matches(Self.token + "0"))
        #expect(!token.matches(""))
        #expect(!token.matches("T" + Self.token.dropFirst()))
        #expect("\(token)" == "APIToken(from \(dir.path)/token, redacted)")
        #expect(!"\(withToken)".contains(Self.token))
    }
}

/// Waits until the daemon's HTTP server answers (it starts after the ingestion thread).
func waitForAPI(port: Int, daemon: DaemonHarness) throws {
    let deadline = Date().addingTimeInterval(15)
    while Date() < deadline {
        if (try? httpRequest(port: port, method: "GET", path: "/healthz")) != nil { return }
        usleep(50_000)
    }
    Issue.record("the API on port \(port) did not answer:\n\(daemon.stderr)")
}

/// `2026-11-29T03:45:04.827Z`.
func rfc3339(_ millis: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
}

struct HTTPReply {
    var status: Int
    /// `HTTP/1.1 200 OK`.
    var statusLine: String
    /// Lower-case names.
    var headers: [String: String]
    var body: String
}

/// One HTTP/1.1 request over a plain loopback socket, `Connection: close`.
func httpRequest(port: Int, method: String, path: String, headers: [String: String] = [:], body: String? = nil) throws -> HTTPReply {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    let bodyBytes = Array((body ?? "").utf8)
    if body != nil { request += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n" }
    let bytes = Array((request + "\r\n").utf8) + bodyBytes
    var sent = 0
    while sent < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, 0) }
        guard n > 0 else { break }
        sent += n
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw POSIXError(.EPROTO) }
    let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
    let statusParts = head[0].split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw POSIXError(.EPROTO) }
    var fields: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return HTTPReply(status: status, statusLine: head[0], headers: fields, body: String(text[split.upperBound...]))
}
