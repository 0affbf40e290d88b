import LogParsing
import Testing

private let definitionText = """
    kind = "proxy"
    regex = '^(?<client>\\S+) \\S+ (?<user>\\S+) \\[(?<time>[^\\]]+)\\] "(?<method>\\S+) (?<url>\\S+) [^"]*" (?<status>\\d+)'
    time_format = "%d/%b/%Y:%H:%M:%S %z"

    [[sample]]
    line = '10.0.0.5 - alice [29/Nov/2026:03:45:04 +0000] "GET http://login.evil-brand.com/ HTTP/1.1" 200'
    time = "2026-11-29T03:45:04.000Z"
    host = "login.evil-brand.com"
    client = "10.0.0.5"
    user = "alice"
    method = "GET"
    url = "http://login.evil-brand.com/"
    status = "200"

    [[sample]]
    line = '10.0.0.5 - bob [29/Nov/2026:03:45:05 +0000] "GET http://login.evil-brand.com/ HTTP/1.1" 200'
    time = "2026-11-29T03:45:04.000Z"
    host = "evil-brand.com"
    client = "10.0.0.5"
    method = "GET"
    url = "http://login.evil-brand.com/"
    status = "200"
    kind = "dns"

    [[sample]]
    line = 'garbage'
    time = "2026-11-29T03:45:04Z"
    host = "a.example"
    client = "10.0.0.5"

    [[sample]]
    line = '10.0.0.5 - - [29/Nov/2026:03:45:04 +0000] "GET http://a.example/ HTTP/1.1" 200'
    skip = "not_a_visit"

    [[sample]]
    line = '10.0.0.5 - - [29/Nov/2026:03:45:04 +0000] "GET /x HTTP/1.1" 200'
    skip = "malformed"

    [[sample]]
    line = '10.0.0.5 - - [29/Nov/2026:03:45:04 +0000] "GET /x HTTP/1.1" 200'
    skip = "no_host"

    """

@Suite("Sample check")
struct SampleCheckTests {
    @Test func resultsSayFieldByFieldWhatDiffers() throws {
        let d = try ParserDefinition.parse(definitionText, file: "parsers/t.toml", builtinIDs: [])
        let results = SampleCheck.run(d)
        #expect(results.map(\.line) == [5, 15, 25, 31, 35, 39])
        #expect(results.map(\.passed) == [true, false, false, false, false, true])
        #expect(results[0].description == "parsers/t.toml:5: ok")
        #expect(results[0].parser == "t")
        #expect(
            results[1].mismatches == [
                "kind: expected dns, got proxy",
                "time: expected 2026-11-29T03:45:04.000Z, got 2026-11-29T03:45:05.000Z",
                "host: expected \"evil-brand.com\", got \"login.evil-brand.com\"",
                "user: expected none, got \"bob\"",
            ])
        #expect(
            results[1].description == """
                parsers/t.toml:15: sample does not match
                    line: 10.0.0.5 - bob [29/Nov/2026:03:45:05 +0000] "GET http://login.evil-brand.com/ HTTP/1.1" 200
                    kind: expected dns, got proxy
                    time: expected 2026-11-29T03:45:04.000Z, got 2026-11-29T03:45:05.000Z
                    host: expected "evil-brand.com", got "login.evil-brand.com"
                    user: expected none, got "bob"
                """)
        #expect(results[2].mismatches == ["expected a visit, got skip malformed"])
        #expect(results[3].mismatches == ["expected skip not_a_visit, got a visit (host \"a.example\")"])
        #expect(results[4].mismatches == ["expected skip malformed, got skip no_host"])
    }

    @Test func zonelessTimesAreReadAsUTCAndYearlessOnesAgainstTheExpectedTime() throws {
        let text = """
            kind = "dns"
            regex = '^(?<time>\\w{3} +\\d+ \\S+) (?<client>\\S+) (?<host>\\S+)$'
            time_format = "%b %e %H:%M:%S"
            timezone = "local"

            [[sample]]
            line = 'Dec 31 23:59:59 10.0.0.1 a.example'
            time = "2019-12-31T23:59:59Z"
            host = "a.example"
            client = "10.0.0.1"

            [[sample]]
            line = 'Feb 29 00:00:00 10.0.0.1 a.example'
            time = "2028-02-29T00:00:00.000Z"
            host = "a.example"
            client = "10.0.0.1"

            """
        let d = try ParserDefinition.parse(text, file: "t.toml", builtinIDs: [])
        #expect(SampleCheck.run(d).map(\.description) == ["t.toml:6: ok", "t.toml:12: ok"])
    }

    @Test func timesAreWrittenAsRFC3339InUTC() {
        #expect(SampleCheck.formatTime(1_795_923_904_827) == "2026-11-29T03:45:04.827Z")
        #expect(SampleCheck.formatTime(0) == "1970-01-01T00:00:00.000Z")
        #expect(SampleCheck.formatTime(-1) == "1969-12-31T23:59:59.999Z")
        #expect(SampleCheck.parseTime("2026-11-29T04:45:04.827+01:00") == 1_795_923_904_827)
        #expect(SampleCheck.parseTime("2026-11-29T03:45:04Z") == 1_795_923_904_000)
        #expect(SampleCheck.parseTime("2026-11-29T03:45:04Z junk") == nil)
        #expect(SampleCheck.parseTime("29/Nov/2026") == nil)
    }
}
