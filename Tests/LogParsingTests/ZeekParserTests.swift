import LogParsing
import Testing

/// Zeek's standard header block for a log.
private func zeekHeader(_ path: String, _ fields: String, _ types: String) -> [String] {
    [
        "#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\t\(path)",
        "#open\t2026-11-29-03-00-00", "#fields\t" + fields.split(separator: " ").joined(separator: "\t"),
        "#types\t" + types.split(separator: " ").joined(separator: "\t"),
    ]
}

private let dnsFields =
    "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id rtt query qclass qclass_name qtype qtype_name rcode rcode_name AA TC RD RA Z answers TTLs rejected"
private let dnsTypes =
    "time string addr port addr port enum count interval string count string count string count string bool bool bool bool count vector[string] vector[interval] bool"
private let httpFields =
    "ts uid id.orig_h id.orig_p id.resp_h id.resp_p trans_depth method host uri referrer version user_agent origin request_body_len response_body_len status_code status_msg info_code info_msg tags username password proxied orig_fuids orig_filenames orig_mime_types resp_fuids resp_filenames resp_mime_types"
private let httpTypes =
    "time string addr port addr port count string string string string string string string count count count string count string set[enum] string string set[string] vector[string] vector[string] vector[string] vector[string] vector[string] vector[string]"
private let sslFields =
    "ts uid id.orig_h id.orig_p id.resp_h id.resp_p version cipher curve server_name resumed last_alert next_protocol established ssl_history cert_chain_fps client_cert_chain_fps sni_matches_cert"
private let sslTypes =
    "time string addr port addr port string string string string bool string string bool string vector[string] vector[string] bool"

/// A tab-separated line from space-separated words (`_` stands for an empty column).
private func tsv(_ words: String) -> String {
    words.split(separator: " ").map { $0 == "_" ? "" : String($0) }.joined(separator: "\t")
}

/// Feeds the header lines (each must be `.notAVisit`) and then parses `line`.
private func parseAfter(_ header: [String], _ line: String) -> Parsed {
    var parser = ZeekParser()
    for h in header { #expect(parse(h, with: &parser).skip == .notAVisit, "\(h)") }
    return parse(line, with: &parser)
}

@Suite("Zeek TSV logs")
struct ZeekParserTests {
    let dnsHeader = zeekHeader("dns", dnsFields, dnsTypes)
    let httpHeader = zeekHeader("http", httpFields, httpTypes)
    let sslHeader = zeekHeader("ssl", sslFields, sslTypes)

    @Test func dnsQuery() {
        let p = parseAfter(
            dnsHeader,
            tsv(
                "1795923904.843012 CsulWM1Px7fIyPpCVi 10.0.0.5 43428 10.0.0.1 53 udp 14288 0.006973 login.evil-brand.com 1 C_INTERNET 1 A 0 NOERROR F F T T 0 203.0.113.7 60.000000 F"
            ))
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "login.evil-brand.com",
                    client: "10.0.0.5", qtype: "A", rcode: "NOERROR"))
    }

    @Test func dnsWithoutQueryHasNoHostAndUnsetFieldsAreAbsent() {
        let p = parseAfter(
            dnsHeader,
            tsv("1795923905.300001 CiZcmz1j6KBBxTwLCa fe80::1 5353 ff02::fb 5353 udp 0 - - - - - - - - F F F F 0 - - F"))
        #expect(p == Parsed(skip: .noHost, kind: .dns, timeMillis: 1_795_923_905_300, host: "", client: "fe80::1"))
    }

    @Test func hexEscapesAreDecoded() {
        // Zeek escapes non-printable bytes and the separator as \xNN.
        let p = parseAfter(
            dnsHeader,
            tsv(
                "1795923905.400000 ComPBK1vso3uDC8KS2 10.0.0.8 43428 10.0.0.1 53 udp 1 - evil-brand\\x2ecom 1 C_INTERNET 16 TXT 0 NO\\x09ERROR F F T T 0 - - F"
            ))
        #expect(p.skip == nil)
        #expect(p.host == "evil-brand.com")
        #expect(p.rcode == "NO\tERROR")
        #expect(p.qtype == "TXT")
        #expect(p.client == "10.0.0.8")
        // A lone `-` written escaped is a value, not the unset marker.
        let dash = parseAfter(
            dnsHeader,
            tsv("1795923905.4 C 10.0.0.8 1 10.0.0.1 53 udp 1 - \\x2d 1 C_INTERNET 1 A 0 NOERROR F F T T 0 - - F"))
        #expect(dash.skip == nil)
        #expect(dash.host == "-")
    }

    @Test func emptyMarkerIsAbsent() {
        let p = parseAfter(
            httpHeader,
            tsv(
                "1795923906.600000 C1 10.0.0.8 51234 203.0.113.7 80 1 GET (empty) /index.html - 1.1 curl/8.0 - 0 0 - - - - (empty) - - - - - - - - -"
            ))
        #expect(p.skip == .noHost)
        #expect(p.url == "/index.html")
        #expect(p.status == nil)
        #expect(p.user == nil)
    }

    @Test func httpRequest() {
        let p = parseAfter(
            httpHeader,
            tsv(
                "1795923906.200000 CIRhMK1X97Z1MzFRD1 10.0.0.5 51234 203.0.113.7 8080 1 POST login.evil-brand.com:8080 /signin?next=%2F http://login.evil-brand.com/ 1.1 Mozilla/5.0 - 48 0 302 Found - - (empty) alice - - - - - - - -"
            ))
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_906_200, host: "login.evil-brand.com:8080",
                    client: "10.0.0.5", user: "alice", method: "POST", url: "/signin?next=%2F", status: "302"))
    }

    @Test func httpWithoutHostHeaderUsesTheAbsoluteURI() {
        let proxied = parseAfter(
            httpHeader,
            tsv(
                "1795923906.400000 C 10.0.0.7 51234 203.0.113.7 3128 1 GET - http://user:pw@paypa1-secure.net:8080/verify - 1.1 - - 0 0 200 OK - - (empty) - - - - - - - - -"
            ))
        #expect(proxied.skip == nil)
        #expect(proxied.host == "user:pw@paypa1-secure.net:8080")
        #expect(proxied.url == "http://user:pw@paypa1-secure.net:8080/verify")
        let connect = parseAfter(
            httpHeader,
            tsv(
                "1795923906.500000 C 10.0.0.7 51234 203.0.113.7 3128 1 CONNECT - paypa1-secure.net:443 - 1.1 - - 0 0 200 Connection\\x20established - - (empty) - - - - - - - - -"
            ))
        #expect(connect.skip == nil)
        #expect(connect.host == "paypa1-secure.net:443")
        #expect(connect.method == "CONNECT")
        let v6 = parseAfter(
            httpHeader,
            tsv(
                "1795923906.7 C 2001:db8::5 51234 2001:db8::80 8080 1 GET [2001:db8::80]:8080 /v6 - 1.1 - - 0 0 404 Not\\x20Found - - (empty) - - - - - - - - -"
            ))
        #expect(v6.host == "[2001:db8::80]:8080")
        #expect(v6.client == "2001:db8::5")
        #expect(v6.status == "404")
    }

    @Test func sslServerName() {
        let p = parseAfter(
            sslHeader,
            tsv(
                "1795923907.100000 CyO1lb37w2czkxBsPd 10.0.0.5 50568 203.0.113.7 443 TLSv13 TLS_AES_256_GCM_SHA384 x25519 login.evil-brand.com F - h2 T CsiI - - -"
            ))
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_907_100, host: "login.evil-brand.com",
                    client: "10.0.0.5"))
        let noSNI = parseAfter(
            sslHeader,
            tsv(
                "1795923907.300000 COboho3mcULvz2l7yl 10.0.0.7 50569 203.0.113.7 443 TLSv12 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 secp256r1 - F - - T CsiI - - -"
            ))
        #expect(noSNI.skip == .noHost)
        #expect(noSNI.client == "10.0.0.7")
    }

    @Test func lineBeforeAnyFieldsHeaderIsMalformed() {
        var parser = ZeekParser()
        let line = tsv(
            "1795923904.843012 C 10.0.0.5 43428 10.0.0.1 53 udp 1 - evil-brand.com 1 C_INTERNET 1 A 0 NOERROR F F T T 0 - - F")
        #expect(parse(line, with: &parser).skip == .malformed)
        #expect(parse("#separator \\x09", with: &parser).skip == .notAVisit)
        #expect(parse(line, with: &parser).skip == .malformed)
    }

    @Test func otherLogsAreNotVisits() {
        let conn = zeekHeader(
            "conn",
            "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state",
            "time string addr port addr port enum string interval count count string")
        let p = parseAfter(conn, tsv("1795923908.960989 C 10.0.0.5 50568 203.0.113.7 443 tcp ssl 44.2 5825 8524 SF"))
        #expect(p.skip == .notAVisit)
    }

    @Test func headerChangesMidFile() {
        var parser = ZeekParser()
        for h in dnsHeader { _ = parse(h, with: &parser) }
        let dns = parse(
            tsv("1795923904.843012 C 10.0.0.5 1 10.0.0.1 53 udp 1 - evil-brand.com 1 C_INTERNET 1 A 0 NOERROR F F T T 0 - - F"),
            with: &parser)
        #expect(dns.kind == .dns)
        #expect(dns.host == "evil-brand.com")
        // A rotated or concatenated file starts a new block with fewer, reordered columns.
        for h in zeekHeader("http", "ts id.orig_h uri host method uid", "time addr string string string string") {
            #expect(parse(h, with: &parser).skip == .notAVisit)
        }
        let http = parse(tsv("1795923906.5 10.0.0.9 /a paypa1-secure.net GET C2"), with: &parser)
        #expect(
            http
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_906_500, host: "paypa1-secure.net",
                    client: "10.0.0.9", method: "GET", url: "/a"))
        // A #fields line alone (no #separator first) also replaces the columns.
        #expect(parse("#fields\tts\tid.orig_h\thost\turi", with: &parser).skip == .notAVisit)
        let again = parse(tsv("1795923906.6 10.0.0.10 good.example /b"), with: &parser)
        #expect(again.host == "good.example")
        #expect(again.method == nil)
    }

    @Test func fieldsWithoutPathAreRecognised() {
        var parser = ZeekParser()
        #expect(parse("#fields\tts\tid.orig_h\tquery\tqtype_name\trcode_name", with: &parser).skip == .notAVisit)
        let p = parse(tsv("1795923904.1 10.0.0.5 evil-brand.com AAAA NXDOMAIN"), with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_100, host: "evil-brand.com", client: "10.0.0.5",
                    qtype: "AAAA", rcode: "NXDOMAIN"))
    }

    @Test func customSeparatorAndMarkers() {
        var parser = ZeekParser()
        for h in [
            "#separator \\x2c", "#set_separator,;", "#empty_field,EMPTY", "#unset_field,NONE", "#path,ssl",
            "#fields,ts,uid,id.orig_h,server_name", "#types,time,string,addr,string",
        ] {
            #expect(parse(h, with: &parser).skip == .notAVisit, "\(h)")
        }
        let p = parse("1795923907.1,C,10.0.0.5,login.evil-brand.com", with: &parser)
        #expect(p.skip == nil)
        #expect(p.host == "login.evil-brand.com")
        #expect(p.client == "10.0.0.5")
        #expect(parse("1795923907.1,C,10.0.0.5,NONE", with: &parser).skip == .noHost)
        #expect(parse("1795923907.1,C,10.0.0.5,EMPTY", with: &parser).skip == .noHost)
        // "-" is an ordinary value now.
        #expect(parse("1795923907.1,C,10.0.0.5,-", with: &parser).host == "-")
        let escaped = parse("1795923907.1,C,10.0.0.5,a\\x2cb.example", with: &parser)
        #expect(escaped.host == "a,b.example")
    }

    @Test func truncatedAndBrokenLines() {
        var parser = ZeekParser()
        for h in dnsHeader { _ = parse(h, with: &parser) }
        #expect(parse(tsv("1795923904.843012 C 10.0.0.5 43428 10.0.0.1 53 udp"), with: &parser).skip == .malformed)
        #expect(parse("", with: &parser).skip == .malformed)
        let badTime = parse(
            tsv("yesterday C 10.0.0.5 1 10.0.0.1 53 udp 1 - evil-brand.com 1 C_INTERNET 1 A 0 NOERROR F F T T 0 - - F"),
            with: &parser)
        #expect(badTime.skip == .badTime)
        // Not a Zeek header.
        #expect(parse("#Fields: date time cs-uri", with: &parser).skip == .malformed)
        #expect(parse("#", with: &parser).skip == .malformed)
        // Extra columns after the last one read are ignored.
        let extra = parse(
            tsv("1795923904.8 C 10.0.0.5 1 10.0.0.1 53 udp 1 - evil-brand.com 1 C_INTERNET 1 A 0 NOERROR F F T T 0 - - F x y"),
            with: &parser)
        #expect(extra.skip == nil)
    }

    @Test func fixtureOutcomes() throws {
        var parser = ZeekParser()
        var counts: [String: Int] = [:]
        for line in try fixtureLines("zeek.log") {
            let p = parse(line, with: &parser)
            counts[p.skip?.rawValue ?? "visit", default: 0] += 1
        }
        #expect(counts == ["visit": 16, "no_host": 3, "not_a_visit": 38])
    }

    @Test func sniffsItsOwnLinesOnly() throws {
        for (name, lines) in try otherFormatsFirstLines() {
            let score = sniffScore(ZeekParser(), lines)
            if name == "zeek.log" {
                #expect(score >= 0.8, "\(name): \(score)")
            } else {
                #expect(score < 0.5, "\(name): \(score)")
            }
        }
    }

    @Test func fuzzedLinesNeverCrash() throws {
        let seeds = try fixtureLines("zeek.log")
        var parser = ZeekParser()
        let counts = fuzzLines(&parser, seeds: seeds, lines: 120_000, seed: 0x2EE4)
        #expect(counts.visits + counts.skips == 120_000)
        #expect(counts.visits > 0)
    }
}
