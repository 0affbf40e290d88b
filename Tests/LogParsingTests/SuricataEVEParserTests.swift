import Foundation
import LogParsing
import Testing

/// An EVE line with the usual common section around `body` (which starts with `,"<type>":…`).
private func eve(_ type: String, _ src: String, _ dest: String, _ body: String, time: String = "2026-11-29T03:45:04.843012+0000")
    -> String
{
    #"{"timestamp":""# + time + #"","flow_id":1447372858311232,"in_iface":"eth0","event_type":""# + type
        + #"","src_ip":""# + src + #"","src_port":43428,"dest_ip":""# + dest
        + #"","dest_port":53,"proto":"UDP","pkt_src":"wire/pcap""# + body + "}"
}

@Suite("Suricata EVE")
struct SuricataEVEParserTests {
    let v2Query = eve(
        "dns", "10.0.0.5", "10.0.0.1",
        #","dns":{"type":"query","id":14288,"rrname":"login.evil-brand.com","rrtype":"A","tx_id":0,"opcode":0}"#)
    let v2Answer = eve(
        "dns", "10.0.0.5", "10.0.0.1",
        #","dns":{"version":2,"type":"answer","id":14288,"flags":"8183","qr":true,"rd":true,"ra":true,"opcode":0,"rrname":"paypa1-secure.net","rrtype":"A","rcode":"NXDOMAIN"}"#,
        time: "2026-11-29T04:45:05.000001+0100")

    @Test func dnsQueryIsTheVisit() {
        var parser = SuricataEVEParser()
        let p = parse(v2Query, with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "login.evil-brand.com",
                    client: "10.0.0.5", qtype: "A"))
    }

    @Test func answersAreVisitsOnlyWithoutQueries() {
        var answersOnly = SuricataEVEParser()
        let first = parse(v2Answer, with: &answersOnly)
        #expect(
            first
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_905_000, host: "paypa1-secure.net", client: "10.0.0.5",
                    qtype: "A", rcode: "NXDOMAIN"))
        var both = SuricataEVEParser()
        #expect(parse(v2Query, with: &both).skip == nil)
        let answer = parse(v2Answer, with: &both)
        #expect(answer.skip == .notAVisit)
        #expect(answer.host == "paypa1-secure.net")
        #expect(answer.rcode == "NXDOMAIN")
    }

    @Test func dnsV1AnswerPerRecord() {
        var parser = SuricataEVEParser()
        let p = parse(
            eve(
                "dns", "192.168.1.6", "192.168.1.1",
                #","dns":{"type":"answer","id":16000,"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","rrname":"twitter.com","rrtype":"A","ttl":8,"rdata":"199.16.156.6"}"#
            ), with: &parser)
        #expect(p.skip == nil)
        #expect(p.host == "twitter.com")
        #expect(p.client == "192.168.1.6")
        #expect(p.rcode == "NOERROR")
    }

    @Test func dnsV3RequestAndResponse() {
        var parser = SuricataEVEParser()
        let request = parse(
            eve(
                "dns", "2001:db8::5", "2001:db8::53",
                #","dns":{"version":3,"type":"request","tx_id":0,"id":0,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"www.evil-brand.com","rrtype":"AAAA"},{"rrname":"second.example","rrtype":"A"}]}"#
            ), with: &parser)
        #expect(
            request
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "www.evil-brand.com",
                    client: "2001:db8::5", qtype: "AAAA", rcode: nil))
        // Suricata 8 logs responses from the responder: the client is dest_ip.
        let responseLine = eve(
            "dns", "10.0.0.1", "10.0.0.5",
            #","dns":{"version":3,"type":"response","tx_id":1,"id":0,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"www.evil-brand.com","rrtype":"A"}],"answers":[{"rrname":"www.evil-brand.com","rrtype":"CNAME","ttl":3597,"rdata":"evil-brand.com"},{"rrname":"evil-brand.com","rrtype":"A","ttl":597,"rdata":"203.0.113.7"}]}"#
        )
        var responsesOnly = SuricataEVEParser()
        let response = parse(responseLine, with: &responsesOnly)
        #expect(
            response
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_843, host: "www.evil-brand.com", client: "10.0.0.5",
                    qtype: "A", rcode: "NOERROR"))
        #expect(parse(responseLine, with: &parser).skip == .notAVisit)
    }

    @Test func httpEvent() {
        var parser = SuricataEVEParser()
        let p = parse(
            #"{"timestamp":"2026-11-29T03:45:06.100000+0000","flow_id":1932447310293475,"in_iface":"eth0","event_type":"http","src_ip":"10.0.0.5","src_port":51234,"dest_ip":"203.0.113.7","dest_port":8080,"proto":"TCP","tx_id":0,"http":{"hostname":"login.evil-brand.com","http_port":8080,"url":"\/login?next=\/account","http_user_agent":"Mozilla\/5.0","http_content_type":"text\/html","http_refer":"http:\/\/evil-brand.com\/","http_method":"POST","protocol":"HTTP\/1.1","status":302,"length":0}}"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_906_100, host: "login.evil-brand.com",
                    client: "10.0.0.5", method: "POST", url: "/login?next=/account", status: "302"))
        // Old versions log the status as a string.
        let old = parse(
            #"{"timestamp":"2026-11-29T03:45:06.100000+0000","event_type":"http","src_ip":"10.0.0.5","dest_ip":"203.0.113.7","http":{"hostname":"direkte.vg.no","url":"\/","http_method":"GET","protocol":"HTTP\/1.1","status":"200","length":310}}"#,
            with: &parser)
        #expect(old.status == "200")
        #expect(old.host == "direkte.vg.no")
    }

    @Test func httpWithoutHostname() {
        var parser = SuricataEVEParser()
        let proxied = parse(
            #"{"timestamp":"2026-11-29T03:45:09.200000+0000","event_type":"http","src_ip":"10.0.0.7","dest_ip":"203.0.113.9","http":{"url":"http:\/\/bob@paypa1-secure.net:8080\/verify","http_method":"GET","status":200}}"#,
            with: &parser)
        #expect(proxied.skip == nil)
        #expect(proxied.host == "bob@paypa1-secure.net:8080")
        #expect(proxied.url == "http://bob@paypa1-secure.net:8080/verify")
        let relative = parse(
            #"{"timestamp":"2026-11-29T03:45:09.300000+0000","event_type":"http","src_ip":"10.0.0.8","dest_ip":"203.0.113.9","http":{"url":"\/index.html","http_method":"GET","status":400}}"#,
            with: &parser)
        #expect(relative.skip == .noHost)
        #expect(relative.status == "400")
    }

    @Test func tlsEvent() {
        var parser = SuricataEVEParser()
        let p = parse(
            #"{"timestamp":"2026-11-29T03:45:07.100000+0000","flow_id":721093752934782,"event_type":"tls","src_ip":"2001:db8::5","src_port":51240,"dest_ip":"2001:db8::443","dest_port":443,"proto":"TCP","tls":{"subject":"CN=login.evil-brand.com","issuerdn":"C=US, O=Let's Encrypt, CN=R3","serial":"04:4E","fingerprint":"a1:b2","sni":"login.evil-brand.com","version":"TLS 1.3","notbefore":"2026-10-01T00:00:00","notafter":"2026-12-30T00:00:00","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,4865"}}}"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_907_100, host: "login.evil-brand.com",
                    client: "2001:db8::5"))
        let noSNI = parse(
            #"{"timestamp":"2026-11-29T03:45:07.300000+0000","event_type":"tls","src_ip":"10.0.0.7","dest_ip":"203.0.113.7","tls":{"subject":"CN=x","version":"TLS 1.2"}}"#,
            with: &parser)
        #expect(noSNI.skip == .noHost)
        #expect(noSNI.client == "10.0.0.7")
    }

    @Test func otherEventTypesAndAlertsAreNotVisits() {
        var parser = SuricataEVEParser()
        let alert = parse(
            #"{"timestamp":"2026-11-29T03:45:06.100500+0000","flow_id":1,"event_type":"alert","src_ip":"10.0.0.5","src_port":51234,"dest_ip":"203.0.113.7","dest_port":80,"proto":"TCP","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2018358,"rev":10,"signature":"ET PHISHING Suspicious Login Page","category":"Potentially Bad Traffic","severity":2},"http":{"hostname":"evil-brand.com","url":"\/login","http_method":"GET","status":200},"app_proto":"http"}"#,
            with: &parser)
        #expect(alert.skip == .notAVisit)
        // Only event_type is read: the rest of a stats line is not even looked at.
        #expect(parse(#"{"timestamp":"2026-11-29T03:45:08.000000+0000","event_type":"stats","stats":{"uptime":3600,"#, with: &parser).skip == .notAVisit)
        #expect(parse(#"{"timestamp":"2026-11-29T03:45:08.000000+0000","event_type":"flow","flow":{}}"#, with: &parser).skip == .notAVisit)
    }

    @Test func malformedAndBadTimes() {
        var parser = SuricataEVEParser()
        #expect(parse(String(v2Query.dropLast()), with: &parser).skip == .malformed)
        #expect(parse(#"{"timestamp":"2026-11-29T03:45:04.843012+0000","src_ip":"10.0.0.5"}"#, with: &parser).skip == .malformed)
        #expect(parse("not json", with: &parser).skip == .malformed)
        let badTime = v2Query.replacingOccurrences(of: "2026-11-29T03:45:04.843012+0000", with: "11/29/2026-03:45:04.843012")
        #expect(parse(badTime, with: &parser).skip == .badTime)
        let noTime = #"{"event_type":"dns","src_ip":"10.0.0.5","dns":{"type":"query","rrname":"a.example","rrtype":"A"}}"#
        #expect(parse(noTime, with: &parser).skip == .malformed)
        let unicode = parse(
            eve("dns", "10.0.0.5", "10.0.0.1", #","dns":{"type":"query","id":1,"rrname":"xn--pypal-4ve.com\u0000","rrtype":"A"}"#),
            with: &parser)
        #expect(unicode.host == "xn--pypal-4ve.com\u{0}")
    }

    @Test func fixtureOutcomes() throws {
        var parser = SuricataEVEParser()
        var counts: [String: Int] = [:]
        for line in try fixtureLines("suricata.log") {
            counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
        }
        #expect(counts == ["visit": 10, "no_host": 2, "not_a_visit": 10, "malformed": 1])
    }

    @Test func sniffsItsOwnLinesOnly() throws {
        for (name, lines) in try otherFormatsFirstLines() {
            let score = sniffScore(SuricataEVEParser(), lines)
            if name == "suricata.log" {
                #expect(score >= 0.8, "\(name): \(score)")
            } else {
                #expect(score < 0.5, "\(name): \(score)")
            }
        }
    }

    @Test func fuzzedLinesNeverCrash() throws {
        var parser = SuricataEVEParser()
        let counts = fuzzLines(&parser, seeds: try fixtureLines("suricata.log"), lines: 120_000, seed: 0x5E1)
        #expect(counts.visits + counts.skips == 120_000)
        #expect(counts.visits > 0)
    }
}
