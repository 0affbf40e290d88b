import LogParsing
import Testing

@Suite("Zscaler NSS JSON web logs")
struct ZscalerJSONParserTests {
    func parseZscaler(_ line: String) -> Parsed {
        var parser = ZscalerJSONParser()
        return parse(line, with: &parser)
    }

    @Test func wrappedWebFeed() {
        let p = parseZscaler(
            #"{ "sourcetype" : "zscalernss-web", "event" :{"datetime":"Sun Nov 29 03:45:04 2026","reason":"Allowed","event_id":"7301234567890123400","protocol":"HTTPS","action":"Allowed","transactionsize":"1093","responsesize":"568","requestsize":"525","urlcategory":"Phishing","serverip":"203.0.113.7","clienttranstime":"12","requestmethod":"GET","refererURL":"None","useragent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","product":"NSS","location":"HQ","ClientIP":"10.0.0.5","status":"200","user":"alice@corp.example","url":"login.evil-brand.com/signin?next=%2Faccount","vendor":"Zscaler","hostname":"login.evil-brand.com","clientpublicIP":"198.51.100.4","threatcategory":"None","threatname":"None","filetype":"None","appname":"General Browsing","pagerisk":"0","department":"Finance","urlsupercategory":"Security","appclass":"General Browsing","dlpengine":"None","urlclass":"Security Risk","threatclass":"None","dlpidentifier":"0","bwthrottle":"NO","servertranstime":"30","contenttype":"text/html","unscannabletype":"None","deviceowner":"alice","devicehostname":"LAPTOP-ALICE","keyprotectiontype":"N/A"}}"#
        )
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "alice@corp.example", method: "GET",
                    url: "login.evil-brand.com/signin?next=%2Faccount", status: "200", action: "Allowed"))
    }

    @Test func flatShapeAndConnect() {
        let p = parseZscaler(
            #"{"datetime":"Sun Nov 29 03:45:05 2026","reason":"Not allowed to browse Phishing category","protocol":"HTTP_PROXY","action":"Blocked","requestmethod":"CONNECT","ClientIP":"2001:db8::6","status":"403","user":"None","url":"paypa1-secure.net:443","hostname":"paypa1-secure.net"}"#
        )
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_905_000, host: "paypa1-secure.net",
                    client: "2001:db8::6", user: nil, method: "CONNECT", url: "paypa1-secure.net:443", status: "403",
                    action: "Blocked"))
    }

    @Test func elasticShapeTakesTheHostFromTheURL() {
        let p = parseZscaler(
            #"{ "sourcetype" : "zscalernss-web", "event" :{"time":"Fri Dec 17 07:04:57 2021","login":"test@example.com","proto":"HTTP_PROXY","eurl":"browser.events.data.msn.com:443","action":"Blocked","reqsize":"600","cip":"192.168.2.200","cintip":"203.0.113.5","sip":"81.2.69.145","reqmethod":"CONNECT","respcode":"200","eua":"Windows%20Microsoft%20Windows%2010%20Pro%20ZTunnel%2F1.0","ereferer":"None"}}"#
        )
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_639_724_697_000, host: "browser.events.data.msn.com:443",
                    client: "192.168.2.200", user: "test@example.com", method: "CONNECT",
                    url: "browser.events.data.msn.com:443", status: "200", action: "Blocked"))
        let path = parseZscaler(
            #"{"datetime":"Sun Nov 29 03:45:07 2026","ClientIP":"10.0.0.5","url":"user@evil-brand.com:8443/login.php?x=1"}"#)
        #expect(path.host == "user@evil-brand.com:8443")
        let scheme = parseZscaler(#"{"datetime":"Sun Nov 29 03:45:07 2026","ClientIP":"10.0.0.5","url":"https://evil-brand.com/"}"#)
        #expect(scheme.host == "evil-brand.com")
        let noHost = parseZscaler(#"{"datetime":"Sun Nov 29 03:45:07 2026","ClientIP":"10.0.0.5","url":"/relative"}"#)
        #expect(noHost.skip == .noHost)
    }

    @Test func sentinelShape() {
        let p = parseZscaler(
            #"{ "sourcetype" : "zscalernss-web", "TimeGenerated":"2026-11-29 03:45:14", "act":"Blocked", "reason":"Blocked", "app":"HTTPS", "dhost":"login.evil-brand.com", "dst":"203.0.113.7", "src":"10.0.0.11", "in":"50", "out":"10", "request":"login.evil-brand.com/verify", "outcome":"403", "requestMethod":"GET", "suser":"gina@corp.example"}"#
        )
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_914_000, host: "login.evil-brand.com",
                    client: "10.0.0.11", user: "gina@corp.example", method: "GET", url: "login.evil-brand.com/verify",
                    status: "403", action: "Blocked"))
    }

    @Test func timeShapes() {
        func time(_ t: String) -> Parsed {
            parseZscaler(#"{"datetime":""# + t + #"","ClientIP":"10.0.0.5","hostname":"evil-brand.com"}"#)
        }
        #expect(time("Sun Nov  1 03:45:18 2026").timeMillis == 1_793_504_718_000)
        #expect(time("Sun Nov 1 03:45:18 2026").timeMillis == 1_793_504_718_000)
        #expect(time("Sun Nov 01 03:45:18 2026").timeMillis == 1_793_504_718_000)
        #expect(time("2026-11-29 03:45:04").timeMillis == 1_795_923_904_000)
        #expect(time("26-11-29 03:45:04").timeMillis == 1_795_923_904_000)
        #expect(time("2026-11-29T03:45:04.250Z").timeMillis == 1_795_923_904_250)
        #expect(time("Nov 29 2026 03:45:16").skip == .badTime)
        #expect(time("Sun Nov 29 25:45:16 2026").skip == .badTime)
        #expect(time("Sun Nov 29 03:45:16 2026 GMT").skip == .badTime)
        #expect(time("").skip == .badTime)
    }

    @Test func escapesAndAbsentValues() {
        let p = parseZscaler(
            #"{"sourcetype":"zscalernss-web","event":{"datetime":"Sun Nov 29 03:45:13 2026","action":"Allowed","requestmethod":"GET","useragent":"Mozilla/5.0 \"quoted\"","ClientIP":"10.0.0.10","status":"NA","user":"CORP\\frank","url":"github.com\/login","hostname":"github.com"}}"#
        )
        #expect(p.skip == nil)
        #expect(p.user == "CORP\\frank")
        #expect(p.url == "github.com/login")
        #expect(p.status == nil)
        let empty = parseZscaler(
            #"{"sourcetype":"zscalernss-web","event":{"datetime":"Sun Nov 29 03:45:11 2026","ClientIP":"10.0.0.9","user":"None","url":"","hostname":""}}"#
        )
        #expect(empty.skip == .noHost)
        #expect(empty.client == "10.0.0.9")
    }

    @Test func otherFeedsAndOtherJSON() {
        #expect(
            parseZscaler(
                #"{ "sourcetype" : "zscalernss-dns", "event" :{"datetime":"Sun Nov 29 03:45:09 2026","user":"alice@corp.example","dns_req":"login.evil-brand.com","clt_sip":"10.0.0.5"}}"#
            ).skip == .notAVisit)
        #expect(parseZscaler(#"{"timestamp":"2026-11-29T03:45:04+0000","event_type":"dns"}"#).skip == .malformed)
        #expect(parseZscaler(#"{"datetime":"Sun Nov 29 03:45:04 2026","ClientIP":"10.0.0.5"}"#).skip == .malformed)
        #expect(parseZscaler(#"{"datetime":"Sun Nov 29 03:45:04 2026","hostname":"a.example""#).skip == .malformed)
    }

    @Test func fixtureOutcomes() throws {
        var parser = ZscalerJSONParser()
        var counts: [String: Int] = [:]
        for line in try fixtureLines("zscaler-json.log") {
            counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
        }
        #expect(counts == ["visit": 13, "not_a_visit": 2, "no_host": 1, "bad_time": 1, "malformed": 1])
    }

    @Test func sniffsItsOwnLinesOnly() throws {
        for (name, lines) in try otherFormatsFirstLines() {
            let score = sniffScore(ZscalerJSONParser(), lines)
            if name == "zscaler-json.log" {
                #expect(score >= 0.8, "\(name): \(score)")
            } else {
                #expect(score < 0.5, "\(name): \(score)")
            }
        }
    }

    @Test func fuzzedLinesNeverCrash() throws {
        var parser = ZscalerJSONParser()
        let counts = fuzzLines(&parser, seeds: try fixtureLines("zscaler-json.log"), lines: 120_000, seed: 0x25CA)
        #expect(counts.visits + counts.skips == 120_000)
        #expect(counts.visits > 0)
    }
}
