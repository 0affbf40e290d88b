import LogParsing
import Testing

private let proxyCSV = FormatOptions(
    fields: [
        "time": "Timestamp", "client": "Client IP", "user": "User", "method": "Method", "url": "URL",
        "status": "Status", "action": "Action",
    ],
    kind: .proxy, header: true)

private let dnsTSV = FormatOptions(
    fields: ["time": "1", "client": "2", "host": "3", "qtype": "4", "rcode": "5", "action": "6"], kind: .dns,
    timeFormat: "epoch")

private func csv(_ options: FormatOptions = proxyCSV) throws -> DelimitedFieldsParser {
    try DelimitedFieldsParser(separator: UInt8(ascii: ","), options: options, context: utcContext)
}

@Suite("Delimited fields (csv, tsv)")
struct DelimitedFieldsParserTests {
    @Test func headerThenVisits() throws {
        var p = try csv()
        #expect(p.id == "csv")
        #expect(parse("Timestamp,Client IP,User,Method,URL,Status,Action,Category", with: &p).skip == .notAVisit)
        #expect(
            parse(
                "2026-11-29T03:45:04Z,10.0.0.5,alice,GET,http://login.evil-brand.com/signin?next=%2F,200,allowed,Phishing",
                with: &p)
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "alice", method: "GET", url: "http://login.evil-brand.com/signin?next=%2F",
                    status: "200", action: "allowed"))
    }

    @Test func quotedCommasEscapesAndOffsets() throws {
        var p = try csv()
        _ = parse("Timestamp,Client IP,User,Method,URL,Status,Action,Category", with: &p)
        let r = parse(
            #"2026-11-29T03:45:07+01:00,10.0.0.8,"Doe, ""JD"" John",GET,"http://paypa1-secure.net/verify?a=1,2",200,allowed,"Newly ""Seen"" Domains""#,
            with: &p)
        #expect(
            r
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_920_307_000, host: "paypa1-secure.net",
                    client: "10.0.0.8", user: "Doe, \"JD\" John", method: "GET",
                    url: "http://paypa1-secure.net/verify?a=1,2", status: "200", action: "allowed"))
    }

    @Test func columnsByNumberWithoutHeader() throws {
        var p = try DelimitedFieldsParser(separator: 0x09, options: dnsTSV, context: utcContext)
        #expect(p.id == "tsv")
        #expect(
            parse("1795923906.5\tfe80::1c2e:5ff:fe3a:1\tpaypa1-secure.net\tA\tNXDOMAIN\tblocked", with: &p)
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_906_500, host: "paypa1-secure.net",
                    client: "fe80::1c2e:5ff:fe3a:1", action: "blocked", qtype: "A", rcode: "NXDOMAIN"))
        #expect(parse("1795923907\t10.0.0.7\t-\tA\tFORMERR\tallowed", with: &p).skip == .noHost)
        #expect(parse("1795923909\t10.0.0.8", with: &p).skip == .malformed)
        #expect(parse("garbage\t10.0.0.7\twww.example.org\tA\tNOERROR\tallowed", with: &p).skip == .badTime)
    }

    @Test func headerChangesMidFile() throws {
        var p = try csv(
            FormatOptions(fields: ["time": "time", "host": "domain", "client": "src"], kind: .dns, header: true))
        #expect(parse("time,src,domain", with: &p).skip == .notAVisit)
        #expect(parse("2026-11-29T03:45:04Z,10.0.0.5,evil-brand.com", with: &p).host == "evil-brand.com")
        #expect(parse("domain,time,extra,src", with: &p).skip == .notAVisit)
        let r = parse("paypa1-secure.net,2026-11-29T03:45:05Z,x,10.0.0.6", with: &p)
        #expect(r.skip == nil)
        #expect(r.host == "paypa1-secure.net")
        #expect(r.client == "10.0.0.6")
        #expect(r.timeMillis == 1_795_923_905_000)
    }

    @Test func firstLineWithoutTheNamesLeavesLinesMalformed() throws {
        var p = try csv(FormatOptions(fields: ["time": "time", "host": "domain"], header: true))
        #expect(parse("a,b,c", with: &p).skip == .notAVisit)
        #expect(parse("2026-11-29T03:45:04Z,evil-brand.com", with: &p).skip == .malformed)
    }

    @Test func strftimeTimeFormatInLocalZone() throws {
        let options = FormatOptions(
            fields: ["time": "1", "host": "2"], timeFormat: "%m/%d/%Y %I:%M:%S %p")
        var p = try DelimitedFieldsParser(
            separator: UInt8(ascii: ";"),
            options: options,
            context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: -5 * 3600)))
        let r = parse("11/28/2026 10:45:04 PM;login.evil-brand.com", with: &p)
        #expect(r.skip == nil)
        #expect(r.timeMillis == 1_795_923_904_000)
    }

    @Test func optionErrors() {
        func message(_ options: FormatOptions) -> String {
            do {
                _ = try DelimitedFieldsParser(separator: UInt8(ascii: ","), options: options, context: utcContext)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message(FormatOptions(fields: ["host": "2"])) == "csv: the fields need a 'time' column")
        #expect(message(FormatOptions(fields: ["time": "1", "client": "2"])) == "csv: the fields need a 'host' or a 'url' column")
        #expect(message(FormatOptions(fields: ["time": "1", "host": "2", "domain": "3"])).hasPrefix("csv: unknown field 'domain'"))
        #expect(message(FormatOptions(fields: ["time": "1", "host": "Domain"])).hasPrefix("csv: field 'host' names column 'Domain'"))
        #expect(message(FormatOptions(fields: ["time": "0", "host": "2"])).hasPrefix("csv: field 'time' is column 0"))
        #expect(message(FormatOptions(fields: ["time": "1", "host": "2"], timeFormat: "%Q")).hasPrefix("csv: time format '%Q'"))
        #expect(message(FormatOptions(fields: ["time": "1", "url": "2"])) == "accepted")
    }

    @Test func fixtures() throws {
        var p = try csv()
        #expect(
            try outcomes(of: "csv.log", with: &p)
                == ["visit": 7, "not_a_visit": 2, "no_host": 1, "bad_time": 2, "malformed": 1])
        var t = try DelimitedFieldsParser(separator: 0x09, options: dnsTSV, context: utcContext)
        #expect(try outcomes(of: "tsv.log", with: &t) == ["visit": 5, "no_host": 1, "bad_time": 1, "malformed": 1])
    }

    @Test func fuzz() throws {
        var p = try csv()
        let lines = try fixtureByteLines("csv.log")
        _ = parse(lines[0], with: &p)
        let tally = LogParsingTests.fuzz(&p, seeds: lines)
        expectSound(tally)
        #expect(tally.visits > 1000)
        var t = try DelimitedFieldsParser(separator: 0x09, options: dnsTSV, context: utcContext)
        let tsv = LogParsingTests.fuzz(&t, seeds: try fixtureByteLines("tsv.log"), seed: 9)
        expectSound(tsv)
        #expect(tsv.visits > 1000)
    }
}
