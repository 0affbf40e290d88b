import LogParsing
import Testing

@Suite("Cisco Umbrella DNS")
struct UmbrellaParserTests {
    @Test func blockedQueryOfADUser() {
        var parser = UmbrellaParser()
        let p = parse(
            #""2026-11-29 03:45:04","Jane Doe (jane@corp.example)","Jane Doe (jane@corp.example),PC-0042,Default Site","10.0.0.5","203.0.113.9","Blocked","1 (A)","NOERROR","login.evil-brand.com.","Phishing,Newly Seen Domains","AD Users","AD Users,Roaming Computers,Sites","Phishing""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com.",
                    client: "10.0.0.5", user: "Jane Doe (jane@corp.example)", action: "Blocked", qtype: "A",
                    rcode: "NOERROR"))
    }

    @Test func computerIdentityIsNoUser() {
        var parser = UmbrellaParser()
        let p = parse(
            #""2026-11-29 03:45:05","PC-0042","PC-0042,Default Site","10.0.0.5","203.0.113.9","Allowed","1 (A)","NOERROR","www.example.org.","Software/Technology,Business Services","Roaming Computers","Roaming Computers,Sites","""#,
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.user == nil)
        #expect(p.action == "Allowed")
    }

    @Test func commaInsideIdentityAndIPv6() {
        var parser = UmbrellaParser()
        let p = parse(
            #""2026-11-29 03:45:06","Doe, John (john.doe@corp.example)","Doe, John (john.doe@corp.example),5CD133BTPT","2001:db8::15","2001:db8:ffff::2","Allowed","28 (AAAA)","NOERROR","cdn.static-assets.net.","Infrastructure and Content Delivery Networks","AD Users","AD Users,Anyconnect Roaming Client","""#,
            with: &parser)
        #expect(p.user == "Doe, John (john.doe@corp.example)")
        #expect(p.client == "2001:db8::15")
        #expect(p.qtype == "AAAA")
        #expect(p.host == "cdn.static-assets.net.")
    }

    @Test func escapedQuotesAreDecoded() {
        var parser = UmbrellaParser()
        let p = parse(
            #""2026-11-29 03:45:11","Smith ""Bo"" (bo@corp.example)","Smith ""Bo"" (bo@corp.example),PC-7","10.0.0.9","203.0.113.9","Blocked","1 (A)","NOERROR","evil-brand.com.","Phishing","AD Users","AD Users,Roaming Computers","Phishing","12345678","US""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_911_000, host: "evil-brand.com.", client: "10.0.0.9",
                    user: "Smith \"Bo\" (bo@corp.example)", action: "Blocked", qtype: "A", rcode: "NOERROR"))
    }

    @Test func version2WithSpacesAfterCommas() {
        var parser = UmbrellaParser()
        let p = parse(
            #""2015-01-16 17:48:41","ActiveDirectoryUserName", "ActiveDirectoryUserName,ADSite,Network", "10.10.1.100","81.2.69.144","Allowed","1 (A)", "NOERROR","domain-visited.com.", "Chat,Photo Sharing,Social Networking,Allow List""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_421_430_521_000, host: "domain-visited.com.",
                    client: "10.10.1.100", user: nil, action: "Allowed", qtype: "A", rcode: "NOERROR"))
    }

    @Test func headerShortAndBadLines() {
        var parser = UmbrellaParser()
        #expect(
            parse(
                #""timestamp","most_granular_identity","identities","internal_ip","external_ip","action","query_type","response_code","domain","categories""#,
                with: &parser
            ).skip == .notAVisit)
        #expect(parse(#""2026-11-29 03:45:15","PC-0042","PC-0042","10.0.0.5""#, with: &parser).skip == .malformed)
        #expect(
            parse(
                #""2026-11-29 3:45:14","PC-0042","PC-0042","10.0.0.5","203.0.113.9","Allowed","1 (A)","NOERROR","www.example.org.","""#,
                with: &parser
            ).skip == .badTime)
        #expect(
            parse(
                #""2026-11-29 03:45:13","PC-0042","PC-0042","10.0.0.5","203.0.113.9","Allowed","1 (A)","NOERROR","","""#,
                with: &parser
            ).skip == .noHost)
    }

    @Test func fixture() throws {
        var parser = UmbrellaParser()
        #expect(
            try outcomes(of: "umbrella.log", with: &parser)
                == ["visit": 11, "not_a_visit": 1, "no_host": 1, "bad_time": 1, "malformed": 1])
    }

    @Test func fuzz() throws {
        var parser = UmbrellaParser()
        let tally = LogParsingTests.fuzz(&parser, seeds: try fixtureByteLines("umbrella.log"))
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}
