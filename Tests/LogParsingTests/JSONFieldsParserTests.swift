import LogParsing
import Testing

/// The options that read Caddy's JSON access log (the `json.log` fixture).
let caddyOptions = FormatOptions(
    fields: [
        "time": "ts", "client": "request.client_ip", "user": "user_id", "host": "request.host", "url": "request.uri",
        "method": "request.method", "status": "status",
    ], kind: .proxy, timeFormat: "epoch")

private func makeParser(_ options: FormatOptions, context: ParserContext = utcContext) throws -> JSONFieldsParser {
    try JSONFieldsParser(options: options, context: context)
}

@Suite("Generic JSON lines")
struct JSONFieldsParserTests {
    @Test func caddyAccessLog() throws {
        var parser = try makeParser(caddyOptions)
        let p = parse(
            #"{"level":"info","ts":1795923904.9,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"10.0.0.5","remote_port":"51234","client_ip":"10.0.0.5","proto":"HTTP/2.0","method":"POST","host":"login.evil-brand.com","uri":"/signin","headers":{"User-Agent":["Mozilla/5.0"],"Accept":["*/*"]}},"bytes_read":0,"user_id":"alice","duration":0.000929675,"size":512,"status":302,"resp_headers":{"Server":["Caddy"]}}"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_900, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "alice", method: "POST", url: "/signin", status: "302"))
        // Caddy's other messages have neither key.
        #expect(
            parse(#"{"level":"info","ts":1795923900.2,"logger":"tls.cache.maintenance","msg":"started"}"#, with: &parser).skip
                == .notAVisit)
    }

    @Test func dnsWithNestedAndLiteralDottedKeys() throws {
        // ECS-style: "source.ip" is one key here, dns.question.name is nested.
        let options = FormatOptions(
            fields: [
                "time": "@timestamp", "client": "source.ip", "host": "dns.question.name", "qtype": "dns.question.type",
                "rcode": "dns.response_code", "action": "event.action",
            ], kind: .dns)
        var parser = try makeParser(options)
        let p = parse(
            #"{"@timestamp":"2026-11-29T03:45:04.843Z","source.ip":"2001:db8::5","event":{"action":"blocked"},"dns":{"question":{"name":"paypa1-secure.net","type":"AAAA"},"response_code":"NXDOMAIN"}}"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "paypa1-secure.net", client: "2001:db8::5",
                    action: "blocked", qtype: "AAAA", rcode: "NXDOMAIN"))
        // Nested wins over a literal key with the same dotted name, whichever comes first.
        let both = parse(
            #"{"dns.question.name":"literal.example","@timestamp":"2026-11-29T03:45:04Z","dns":{"question":{"name":"nested.example"}}}"#,
            with: &parser)
        #expect(both.host == "nested.example")
        // A path through an array looks into its first element.
        var arrays = try makeParser(FormatOptions(fields: ["time": "t", "host": "questions.name"], kind: .dns))
        let first = parse(#"{"t":"2026-11-29T03:45:04Z","questions":[{"name":"evil-brand.com"},{"name":"b.example"}]}"#, with: &arrays)
        #expect(first.host == "evil-brand.com")
    }

    @Test func adGuardQueryLogTimesWithNanosecondsAndOffset() throws {
        let options = FormatOptions(fields: ["time": "T", "host": "QH", "qtype": "QT", "client": "IP"], kind: .dns)
        var parser = try makeParser(options)
        let p = parse(
            #"{"T":"2026-11-29T04:45:04.843012345+01:00","QH":"login.evil-brand.com","QT":"HTTPS","QC":"IN","CP":"","Upstream":"https://dns10.quad9.net:443/dns-query","Answer":"wGgBgAABAAAAAQAA","IP":"192.168.1.20","Result":{},"Elapsed":24823542}"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "login.evil-brand.com",
                    client: "192.168.1.20", qtype: "HTTPS"))
    }

    @Test func timeFormatsAndZones() throws {
        func time(_ format: String, _ value: String, context: ParserContext = utcContext) throws -> Parsed {
            var parser = try makeParser(
                FormatOptions(fields: ["time": "when", "host": "name"], kind: .dns, timeFormat: format), context: context)
            return parse(#"{"when":"# + value + #","name":"evil-brand.com"}"#, with: &parser)
        }
        #expect(try time("epoch_millis", "1795923904843").timeMillis == 1_795_923_904_843)
        #expect(try time("epoch_millis", #""1795923904843""#).timeMillis == 1_795_923_904_843)
        #expect(try time("epoch", "1795923904.843012").timeMillis == 1_795_923_904_843)
        #expect(try time("epoch_micros", "1795923904843012").timeMillis == 1_795_923_904_843)
        #expect(try time("%Y-%m-%d %H:%M:%S", #""2026-11-29 03:45:04""#).timeMillis == 1_795_923_904_000)
        let plusOne = ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600))
        #expect(try time("%Y-%m-%d %H:%M:%S", #""2026-11-29 04:45:04""#, context: plusOne).timeMillis == 1_795_923_904_000)
        #expect(try time("iso8601", #""2026-11-29T04:45:04""#, context: plusOne).timeMillis == 1_795_923_904_000)
        #expect(try time("iso8601", #""29/11/2026""#).skip == .badTime)
        #expect(try time("iso8601", "true").skip == .malformed)
        #expect(try time("iso8601", "null").skip == .malformed)
        #expect(try time("epoch", #""soon""#).skip == .badTime)
    }

    @Test func urlOnlyAndAbsentValues() throws {
        var parser = try makeParser(
            FormatOptions(
                fields: ["time": "time", "url": "http.url", "client": "client", "user": "user", "status": "http.status"],
                kind: .proxy))
        let p = parse(
            #"{"time":"2026-11-29T03:45:04Z","client":"10.0.0.5","user":"-","http":{"url":"https:\/\/bob@login.evil-brand.com:8443\/a?b=\"c\"","status":null}}"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "bob@login.evil-brand.com:8443",
                    client: "10.0.0.5", user: nil, url: #"https://bob@login.evil-brand.com:8443/a?b="c""#, status: nil))
        let relative = parse(#"{"time":"2026-11-29T03:45:04Z","client":"10.0.0.5","http":{"url":"/a","status":404}}"#, with: &parser)
        #expect(relative.skip == .noHost)
        #expect(relative.status == "404")
        let empty = parse(#"{"time":"2026-11-29T03:45:04Z","http":{"url":""}}"#, with: &parser)
        #expect(empty.skip == .noHost)
    }

    @Test func malformedLines() throws {
        var parser = try makeParser(caddyOptions)
        #expect(parse(#"{"ts":1795923904.9,"request":{"host":"a.example"}"#, with: &parser).skip == .malformed)
        #expect(parse(#"{"request":{"host":"a.example"}}"#, with: &parser).skip == .malformed)
        #expect(parse(#"[{"ts":1795923904.9,"request":{"host":"a.example"}}]"#, with: &parser).skip == .malformed)
        #expect(parse("1795923904.9 a.example", with: &parser).skip == .malformed)
        #expect(parse("", with: &parser).skip == .malformed)
    }

    @Test func configurationErrors() {
        func error(_ options: FormatOptions) -> String? {
            do {
                _ = try JSONFieldsParser(options: options, context: utcContext)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(
            error(FormatOptions(fields: ["time": "t", "host": "h", "hostname": "x"]))
                == "json: unknown field 'hostname' (known: time, client, user, host, url, method, status, action, qtype, rcode)")
        #expect(error(FormatOptions(fields: ["host": "h"])) == "json: fields must say which key holds 'time'")
        #expect(error(FormatOptions(fields: ["time": "t", "client": "c"])) == "json: fields must say which key holds 'host' or 'url'")
        #expect(
            error(FormatOptions(fields: ["time": "t", "host": "dns..name"]))
                == "json: field 'host' has the key path 'dns..name'; write keys joined by single dots (src.ip)")
        #expect(error(FormatOptions(fields: ["time": "t", "host": "h"], timeFormat: "%Q"))?.hasPrefix("json: time format") == true)
        #expect(error(FormatOptions(fields: ["time": "t", "url": "u"], timeFormat: "epoch")) == nil)
    }

    @Test func fixtureOutcomes() throws {
        var parser = try makeParser(caddyOptions)
        var counts: [String: Int] = [:]
        for line in try fixtureLines("json.log") {
            counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
        }
        // Caddy logs a proxy error both as an error and as an access line: a generic format
        // cannot tell them apart, so both count.
        #expect(counts == ["visit": 15, "not_a_visit": 2, "no_host": 1, "bad_time": 1, "malformed": 1])
    }

    @Test func fuzzedLinesNeverCrash() throws {
        var parser = try makeParser(caddyOptions)
        let counts = fuzzLines(&parser, seeds: try fixtureLines("json.log"), lines: 120_000, seed: 0x150)
        #expect(counts.visits + counts.skips == 120_000)
        #expect(counts.visits > 0)
    }
}
