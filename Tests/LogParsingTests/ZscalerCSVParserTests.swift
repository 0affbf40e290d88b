import Foundation
import LogParsing
import Testing

@Suite("Zscaler NSS web CSV")
struct ZscalerCSVParserTests {
    @Test func blockedPhishingVisit() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov 29 03:45:04 2026","jane@corp.example","HTTPS","login.evil-brand.com/signin?next=%2F","Blocked","General Browsing","General Browsing","812","14061","0","0","Security Risk","Security","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","URL Filtering","Block Phishing","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "jane@corp.example", method: "GET",
                    url: "login.evil-brand.com/signin?next=%2F", status: "403", action: "Blocked"))
    }

    /// The sample web log of Zscaler's "NSS Feed Output Format: Web Logs" page: unauthenticated
    /// traffic logs the location ("new-gre") as the login.
    @Test func documentedSampleLine() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Mon Jun 20 15:29:11 2022","new-gre","HTTP","ebay.com/","Blocked","Ebay","Consumer Apps","72","14061","0","0","Productivity Loss","Shopping and Auctions","Online Shopping","None","None","0","None","None","new-gre","Default Department","172.17.3.49","66.211.175.229","GET","403","curl/7.68.0","None","FwFilter","Firewall_1","Other","None","NA","NA","N/A""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_655_738_951_000, host: "ebay.com", client: "172.17.3.49",
                    user: nil, method: "GET", url: "ebay.com/", status: "403", action: "Blocked"))
    }

    @Test func connectTargetWithPort() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov 29 03:45:05 2026","jane@corp.example","HTTP_PROXY","login.evil-brand.com:443","Blocked","General Browsing","General Browsing","812","14061","0","0","Security Risk","Security","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","CONNECT","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","URL Filtering","Block Phishing","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(p.host == "login.evil-brand.com:443")
        #expect(p.method == "CONNECT")
        #expect(p.timeMillis == 1_795_923_905_000)
    }

    @Test func feedTimeZoneComesFromTheContext() {
        var parser = ZscalerCSVParser(
            context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: -5 * 3600)))
        let p = parse(
            #""Sun Nov 29 03:45:04 2026","jane@corp.example","HTTPS","login.evil-brand.com/signin?next=%2F","Blocked","General Browsing","General Browsing","812","14061","0","0","Security Risk","Security","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","URL Filtering","Block Phishing","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(p.timeMillis == 1_795_923_904_000 + 5 * 3_600_000)
    }

    @Test func singleDigitDaySpacePadded() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov  1 09:05:00 2026","ivy@corp.example","HTTPS","news.example.com/world/","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","News and Media","None","None","0","None","None","HQ","Sales","10.0.0.19","151.101.1.69","GET","200","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_793_523_900_000)
        #expect(p.host == "news.example.com")
    }

    @Test func commaInsideQuotedLocationAndIPv6Client() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov 29 03:45:09 2026","carol@corp.example","HTTPS","cdn.paypa1-secure.net/js/app.js","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Miscellaneous or Unknown","None","None","0","None","None","Branch Office, Floor 2","Sales","2001:db8::15","203.0.113.11","GET","200","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","paypa1-secure.net/verify/","None","None","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_909_000, host: "cdn.paypa1-secure.net",
                    client: "2001:db8::15", user: "carol@corp.example", method: "GET", url: "cdn.paypa1-secure.net/js/app.js",
                    status: "200", action: "Allowed"))
    }

    @Test func escapedQuotesAreDecoded() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov 29 03:45:13 2026","Smith ""Bo""@corp.example","HTTPS","www.login.evil-brand.com/","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.16","0.0.0.0","GET","403","Mozilla/5.0 ""quoted"" agent, with comma","None","None","None","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_913_000, host: "www.login.evil-brand.com",
                    client: "10.0.0.16", user: "Smith \"Bo\"@corp.example", method: "GET", url: "www.login.evil-brand.com/",
                    status: "403", action: "Blocked"))
    }

    @Test func bracketedIPv6UserinfoPortAndIPHosts() {
        var parser = ZscalerCSVParser(context: utcContext)
        #expect(parse(#""Sun Nov 29 03:45:12 2026","frank@corp.example","HTTPS","[2001:db8::80]:8080/admin/","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Corporate Marketing","None","None","0","None","None","HQ","Sales","10.0.0.15","2001:db8::80","GET","200","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#, with: &parser).host == "[2001:db8::80]:8080")
        #expect(parse(#""Sun Nov 29 03:45:14 2026","gina@corp.example","HTTPS","admin@login.evil-brand.com/owa/","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.17","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#, with: &parser).host == "admin@login.evil-brand.com")
        #expect(parse(#""Sun Nov 29 03:45:10 2026","dave@corp.example","HTTPS","evil-brand.com:8443/download/setup.exe","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Malicious Content","Trojan","Win32.Trojan.Agent","0","None","None","HQ","Sales","10.0.0.13","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","Malware Protection","Block Malware","Other","None","jdoe","PC-0042","N/A""#, with: &parser).host == "evil-brand.com:8443")
        #expect(parse(#""Sun Nov 29 03:45:11 2026","erin@corp.example","HTTP","198.51.100.23/gate.php","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Botnet Callback","None","None","0","None","None","HQ","Sales","10.0.0.14","0.0.0.0","POST","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","Advanced Threat Protection","ATP","Other","None","jdoe","PC-0042","N/A""#, with: &parser).host == "198.51.100.23")
    }

    @Test func thirtyThreeColumnsWithoutKeyProtectionType() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov 29 03:45:15 2026","jane@corp.example","HTTPS","www.google.com/search?q=paypa1","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Web Search","None","None","0","None","None","HQ","Sales","10.0.0.5","142.250.72.14","GET","200","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_915_000, host: "www.google.com", client: "10.0.0.5",
                    user: "jane@corp.example", method: "GET", url: "www.google.com/search?q=paypa1", status: "200",
                    action: "Allowed"))
    }

    @Test func clientInternetIPColumnShiftsTheRest() {
        var parser = ZscalerCSVParser(context: utcContext)
        let withKeyProtection = parse(
            #""Sun Nov 29 03:45:17 2026","harry@corp.example","HTTPS","login.evil-brand.com/api/session","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.18","203.0.113.200","0.0.0.0","POST","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(
            withKeyProtection
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_917_000, host: "login.evil-brand.com",
                    client: "10.0.0.18", user: "harry@corp.example", method: "POST",
                    url: "login.evil-brand.com/api/session", status: "403", action: "Blocked"))
        let without = parse(
            #""Sun Nov 29 03:45:18 2026","harry@corp.example","HTTPS","updates.example.net/v2/manifest.json","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Software Updates","None","None","0","None","None","HQ","Sales","10.0.0.18","203.0.113.200","52.84.150.30","GET","200","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042""#,
            with: &parser)
        #expect(without.method == "GET")
        #expect(without.status == "200")
        #expect(without.host == "updates.example.net")
    }

    @Test func syslogHeaderBeforeTheFeedLineIsSkipped() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #"Nov 29 03:45:19 nss01 "Sun Nov 29 03:45:19 2026","jane@corp.example","HTTPS","paypa1-secure.net/","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.host == "paypa1-secure.net")
        #expect(p.user == "jane@corp.example")
        #expect(p.timeMillis == 1_795_923_919_000)
    }

    @Test func noneLoginIsNoUser() {
        var parser = ZscalerCSVParser(context: utcContext)
        let p = parse(
            #""Sun Nov 29 03:45:20 2026","None","HTTPS","evil-brand.com/","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Miscellaneous or Unknown","None","None","0","None","None","Guest WiFi","Sales","192.168.50.7","203.0.113.9","GET","200","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#,
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.user == nil)
        #expect(p.client == "192.168.50.7")
    }

    @Test func missingHostsBadTimesAndOtherShapes() {
        var parser = ZscalerCSVParser(context: utcContext)
        let empty = parse(#""Sun Nov 29 03:45:21 2026","jane@corp.example","HTTPS","","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Miscellaneous or Unknown","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","None","None","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#, with: &parser)
        #expect(empty.skip == .noHost)
        #expect(empty.method == nil)
        #expect(empty.status == nil)
        #expect(parse(#""Sun Nov 29 03:45:22 2026","jane@corp.example","HTTPS","/favicon.ico","Allowed","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Miscellaneous or Unknown","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","400","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#, with: &parser).skip == .noHost)
        #expect(parse(#""Sun Nov 29 25:45:23 2026","jane@corp.example","HTTPS","login.evil-brand.com/","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#, with: &parser).skip == .badTime)
        #expect(parse(#""2026-11-29 03:45:24","jane@corp.example","HTTPS","login.evil-brand.com/","Blocked","General Browsing","General Browsing","812","14061","0","0","Business Use","Information Technology","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","None","None","None","Other","None","jdoe","PC-0042","N/A""#, with: &parser).skip == .malformed)
        #expect(parse(#""Sun Nov 29 03:45:25 2026","jane@corp.example","HTTPS","login.evil-brand.com/","Blocked","General Browsing","General Browsing","812","65""#, with: &parser).skip == .malformed)
        #expect(parse(#"{ "sourcetype" : "zscalernss-web", "event" :{"time":"Sun Nov 29 03:45:26 2026","login":"jane@corp.example","proto":"HTTPS","eurl":"login.evil-brand.com/","action":"Blocked"}}"#, with: &parser).skip == .malformed)
        #expect(parse(#""Sun Nov 29 03:45:27 2026","jane@corp.example","10.0.0.5","login.evil-brand.com","A","Blocked","Phishing","HQ","Sales""#, with: &parser).skip == .malformed)
        #expect(parse("", with: &parser).skip == .malformed)
    }

    @Test func claimsNoOtherFormatsFixture() throws {
        for name in try fixtureNames() where name != "zscaler.log" {
            #expect(sniffScore(ZscalerCSVParser(context: utcContext), try fixtureByteLines(name)) < 0.1, "\(name)")
        }
        #expect(sniffScore(ZscalerCSVParser(context: utcContext), try fixtureByteLines("zscaler.log")) >= 0.8)
    }

    @Test func fixture() throws {
        var parser = ZscalerCSVParser(context: utcContext)
        #expect(
            try outcomes(of: "zscaler.log", with: &parser)
                == ["visit": 18, "no_host": 2, "bad_time": 1, "malformed": 4])
    }

    @Test func fuzz() throws {
        var parser = ZscalerCSVParser(context: utcContext)
        let tally = LogParsingTests.fuzz(&parser, seeds: try fixtureByteLines("zscaler.log"))
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}

/// The names of every fixture, for the vendor parsers' tests that they claim no other format's
/// lines.
func fixtureNames() throws -> [String] {
    let urls = try #require(Bundle.module.urls(forResourcesWithExtension: "log", subdirectory: "Fixtures"))
    return urls.compactMap(\.lastPathComponent).sorted()
}
