import LogParsing
import Testing

@Suite("Zeek JSON logs")
struct ZeekJSONParserTests {
    func parseZeek(_ line: String) -> Parsed {
        var parser = ZeekJSONParser()
        return parse(line, with: &parser)
    }

    @Test func dnsQuery() {
        let p = parseZeek(
            #"{"ts":1795923904.843012,"uid":"CsulWM1Px7fIyPpCVi","id.orig_h":"10.0.0.5","id.orig_p":43428,"id.resp_h":"10.0.0.1","id.resp_p":53,"proto":"udp","trans_id":14288,"rtt":0.006973,"query":"login.evil-brand.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["203.0.113.7"],"TTLs":[60.0],"rejected":false}"#
        )
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "login.evil-brand.com",
                    client: "10.0.0.5", qtype: "A", rcode: "NOERROR"))
    }

    @Test func dnsWithoutQueryHasNoHost() {
        // Zeek leaves unset fields out of JSON.
        let p = parseZeek(
            #"{"ts":1795923905.300001,"uid":"CiZcmz1j6KBBxTwLCa","id.orig_h":"fe80::1","id.orig_p":5353,"id.resp_h":"ff02::fb","id.resp_p":5353,"proto":"udp","trans_id":0,"rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":false,"RA":false,"Z":0,"rejected":false}"#
        )
        #expect(
            p == Parsed(skip: .noHost, kind: .dns, timeMillis: 1_795_923_905_300, host: "", client: "fe80::1", rcode: "NOERROR"))
    }

    @Test func timestampVariants() {
        let iso = parseZeek(
            #"{"ts":"2026-11-29T03:45:04.843012Z","uid":"C","id.orig_h":"10.0.0.5","query":"evil-brand.com","qtype_name":"A"}"#)
        #expect(iso.skip == nil)
        #expect(iso.timeMillis == 1_795_923_904_843)
        let millis = parseZeek(#"{"ts":1795923904843,"uid":"C","id.orig_h":"10.0.0.5","query":"evil-brand.com"}"#)
        #expect(millis.timeMillis == 1_795_923_904_843)
        let whole = parseZeek(#"{"ts":1795923904,"uid":"C","id.orig_h":"10.0.0.5","query":"evil-brand.com"}"#)
        #expect(whole.timeMillis == 1_795_923_904_000)
        #expect(parseZeek(#"{"ts":"yesterday","uid":"C","id.orig_h":"10.0.0.5","query":"a.example"}"#).skip == .badTime)
        #expect(parseZeek(#"{"ts":1.7959e9,"uid":"C","id.orig_h":"10.0.0.5","query":"a.example"}"#).skip == .badTime)
        #expect(parseZeek(#"{"ts":true,"uid":"C","id.orig_h":"10.0.0.5","query":"a.example"}"#).skip == .badTime)
    }

    @Test func httpRequest() {
        let p = parseZeek(
            #"{"ts":1795923906.2,"uid":"CIRhMK1X97Z1MzFRD1","id.orig_h":"10.0.0.5","id.orig_p":51234,"id.resp_h":"203.0.113.7","id.resp_p":8080,"trans_depth":1,"method":"POST","host":"login.evil-brand.com:8080","uri":"\/signin?next=%2F","referrer":"http:\/\/login.evil-brand.com\/","version":"1.1","user_agent":"Mozilla\/5.0","request_body_len":48,"response_body_len":0,"status_code":302,"status_msg":"Found","tags":[],"username":"alice"}"#
        )
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_906_200, host: "login.evil-brand.com:8080",
                    client: "10.0.0.5", user: "alice", method: "POST", url: "/signin?next=%2F", status: "302"))
    }

    @Test func httpWithoutHostUsesTheAbsoluteURI() {
        let proxied = parseZeek(
            #"{"ts":1795923906.4,"uid":"C","id.orig_h":"10.0.0.7","trans_depth":1,"method":"GET","uri":"http://user@paypa1-secure.net:8080/verify","status_code":200}"#
        )
        #expect(proxied.skip == nil)
        #expect(proxied.host == "user@paypa1-secure.net:8080")
        let relative = parseZeek(
            #"{"ts":1795923906.6,"uid":"C","id.orig_h":"10.0.0.8","trans_depth":1,"method":"GET","uri":"/index.html"}"#)
        #expect(relative.skip == .noHost)
        #expect(relative.url == "/index.html")
        #expect(relative.status == nil)
    }

    @Test func escapedValuesAreDecoded() {
        let p = parseZeek(
            #"{"ts":1795923906.1,"uid":"C","id.orig_h":"10.0.0.5","trans_depth":1,"method":"GET","host":"login.evil\u002dbrand.com","uri":"\/a\"b\\c\u00e9"}"#
        )
        #expect(p.skip == nil)
        #expect(p.host == "login.evil-brand.com")
        #expect(p.url == "/a\"b\\cé")
    }

    @Test func sslAndPathField() {
        let ssl = parseZeek(
            #"{"ts":1795923907.1,"uid":"CyO1lb37w2czkxBsPd","id.orig_h":"2001:db8::5","id.orig_p":50568,"id.resp_h":"2001:db8::443","id.resp_p":443,"version":"TLSv13","cipher":"TLS_AES_256_GCM_SHA384","curve":"x25519","server_name":"login.evil-brand.com","resumed":false,"established":true,"ssl_history":"CsiI"}"#
        )
        #expect(
            ssl
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_907_100, host: "login.evil-brand.com",
                    client: "2001:db8::5"))
        let noSNI = parseZeek(
            #"{"ts":1795923907.3,"uid":"C","id.orig_h":"10.0.0.7","version":"TLSv12","cipher":"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384","established":true}"#
        )
        #expect(noSNI.skip == .noHost)
        // _path decides, whatever the keys say.
        let path = parseZeek(
            #"{"_path":"ssl","_write_ts":"2026-11-29T03:45:08.000000Z","ts":1795923907.4,"uid":"C","id.orig_h":"10.0.0.5","server_name":"evil-brand.com"}"#
        )
        #expect(path.skip == nil)
        #expect(path.host == "evil-brand.com")
        let weird = parseZeek(#"{"_path":"weird","ts":1795923907.4,"uid":"C","id.orig_h":"10.0.0.5","query":"x.example"}"#)
        #expect(weird.skip == .notAVisit)
    }

    @Test func nestedIDIsReadToo() {
        let p = parseZeek(
            #"{"ts":1795923904.1,"uid":"C","id":{"orig_h":"10.0.0.5","orig_p":1,"resp_h":"10.0.0.1","resp_p":53},"query":"evil-brand.com","qtype_name":"A"}"#
        )
        #expect(p.skip == nil)
        #expect(p.client == "10.0.0.5")
    }

    @Test func otherLogsAndOtherJSON() {
        let conn = parseZeek(
            #"{"ts":1795923908.960989,"uid":"CyO1lb37w2czkxBsPd","id.orig_h":"10.0.0.5","id.orig_p":50568,"id.resp_h":"203.0.113.7","id.resp_p":443,"proto":"tcp","service":"ssl","duration":44.271572,"conn_state":"SF"}"#
        )
        #expect(conn.skip == .notAVisit)
        // sip.log has method and uri, but is no HTTP.
        let sip = parseZeek(
            #"{"ts":1795923908.1,"uid":"C","id.orig_h":"10.0.0.5","trans_depth":0,"method":"INVITE","uri":"sip:bob@evil-brand.com","call_id":"a84b4c76e66710"}"#
        )
        #expect(sip.skip == .notAVisit)
        // Not Zeek: Suricata EVE, plain JSON, not JSON.
        #expect(
            parseZeek(#"{"timestamp":"2026-11-29T03:45:04.843012+0000","event_type":"dns","dns":{"rrname":"a.example"}}"#).skip
                == .malformed)
        #expect(parseZeek(#"{"ts":1795923904.1,"query":"a.example"}"#).skip == .malformed)
        #expect(parseZeek(#"{"ts":1795923904.1,"uid":"C","id.orig_h":"10.0.0.5","query":"a.example""#).skip == .malformed)
        #expect(parseZeek("1795923904.843012\tC\t10.0.0.5").skip == .malformed)
    }

    @Test func fixtureOutcomes() throws {
        var parser = ZeekJSONParser()
        var counts: [String: Int] = [:]
        for line in try fixtureLines("zeek-json.log") {
            counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
        }
        #expect(counts == ["visit": 15, "no_host": 3, "not_a_visit": 3])
    }

    @Test func sniffsItsOwnLinesOnly() throws {
        for (name, lines) in try otherFormatsFirstLines() {
            let score = sniffScore(ZeekJSONParser(), lines)
            if name == "zeek-json.log" {
                #expect(score >= 0.8, "\(name): \(score)")
            } else {
                #expect(score < 0.5, "\(name): \(score)")
            }
        }
    }

    @Test func fuzzedLinesNeverCrash() throws {
        var parser = ZeekJSONParser()
        let counts = fuzzLines(&parser, seeds: try fixtureLines("zeek-json.log"), lines: 120_000, seed: 0x2EE5)
        #expect(counts.visits + counts.skips == 120_000)
        #expect(counts.visits > 0)
    }
}
