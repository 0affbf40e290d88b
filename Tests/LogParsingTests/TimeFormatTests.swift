import LogParsing
import Testing

@Suite("TimeFormat")
struct TimeFormatTests {
    /// Reads `text` with `spec`; times without a zone are UTC here unless `zone` says otherwise.
    func read(_ spec: String, _ text: String, zone: LogTimeZone = .utc) throws -> LineTime.Read {
        let format = try TimeFormat(spec)
        var clock = LineTime(context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: zone))
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { format.read($0, 0..<$0.count, clock: &clock) }
    }

    // 2026-11-29T03:45:04Z
    let t: Int64 = 1_795_923_904_000

    @Test func epochForms() throws {
        #expect(try read("epoch", "1795923904") == .millis(t))
        #expect(try read("epoch", "1795923904.827") == .millis(t + 827))
        #expect(try read("epoch", "1795923904.8") == .millis(t + 800))
        #expect(try read("epoch", "1795923904.827123") == .millis(t + 827))
        #expect(try read("epoch_millis", "1795923904827") == .millis(t + 827))
        #expect(try read("epoch_micros", "1795923904827123") == .millis(t + 827))
        #expect(try read("epoch", "17959x3904") == .notATime)
        #expect(try read("epoch", "") == .notATime)
        #expect(try read("epoch_millis", "1795923904827.5") == .notATime)
    }

    @Test func iso8601() throws {
        #expect(try read("iso8601", "2026-11-29T03:45:04.123Z") == .millis(t + 123))
        #expect(try read("iso8601", "2026-11-29T04:45:04+01:00") == .millis(t))
        #expect(try read("iso8601", "2026-11-29T03:45:04") == .millis(t))
        #expect(try read("iso8601", "2026-11-29T03:45:04", zone: .fixed(seconds: 3600)) == .millis(t - 3_600_000))
        #expect(try read("iso8601", "2026-11-29T03:45:04Z trailing") == .notATime)
        #expect(try read("iso8601", "2026-11-29 03:45:04") == .notATime)
    }

    @Test func patterns() throws {
        #expect(try read("%Y-%m-%d %H:%M:%S", "2026-11-29 03:45:04") == .millis(t))
        #expect(try read("%F %T.%f", "2026-11-29 03:45:04.5") == .millis(t + 500))
        #expect(try read("%d/%b/%Y:%H:%M:%S %z", "29/Nov/2026:04:45:04 +0100") == .millis(t))
        #expect(try read("%d/%b/%Y:%H:%M:%S %z", "29/nov/2026:01:15:04 -02:30") == .millis(t))
        #expect(try read("%m/%d/%Y %I:%M:%S %p", "11/29/2026 3:45:04 AM") == .millis(t))
        #expect(try read("%m/%d/%Y %I:%M:%S %p", "11/29/2026 3:45:04 PM") == .millis(t + 12 * 3_600_000))
        #expect(try read("%m/%d/%Y %I:%M:%S %p", "11/29/2026 12:45:04 AM") == .millis(t - 3 * 3_600_000))
        #expect(try read("%a %b %e %H:%M:%S %Y", "Sun Nov 29 03:45:04 2026") == .millis(t))
        #expect(try read("%b %e %T", "Nov 29 03:45:04") == .millis(t))
        #expect(try read("%b %e %T %Z", "Nov 29 03:45:04 UTC") == .invalid)  // a zone without a year
        #expect(try read("%Y-%m-%dT%H:%M:%S%z", "2026-11-29T03:45:04Z") == .millis(t))
        #expect(try read("%s", "1795923904") == .millis(t))
        #expect(try read("%y%m%d %H:%M:%S", "261129  3:45:04") == .millis(t))
        #expect(try read("%Y-%m-%d %H:%M:%S", "2026-13-29 03:45:04") == .invalid)
        #expect(try read("%Y-%m-%d %H:%M:%S", "2026-11-29 03:45") == .notATime)
        #expect(try read("%Y-%m-%d %H:%M:%S", "2026-11-29 03:45:04x") == .notATime)
        #expect(try read("%Y-%m-%d %H:%M:%S", "2026-11-29 03:45:04", zone: .fixed(seconds: -3600)) == .millis(t + 3_600_000))
    }

    @Test func yearlessTimesArePlacedBeforeTheReference() throws {
        // The reference is 2026-11-29T12:00Z: a Dec 31 time is last year's.
        #expect(try read("%b %d %H:%M:%S", "Dec 31 23:59:59") == .millis(1_767_225_599_000))
        #expect(try TimeFormat("%b %d %H:%M:%S").lacksYear)
        #expect(try !TimeFormat("%F %T").lacksYear)
    }

    @Test func badSpecsAreErrorsThatNameTheProblem() {
        #expect(throws: FormatError("time format '%Y-%q': unknown directive %q at column 4")) { try TimeFormat("%Y-%q") }
        #expect(throws: FormatError("time format '%H:%M %': a lone % at the end")) { try TimeFormat("%H:%M %") }
        #expect(
            throws: FormatError("time format '%H:%M:%S': needs at least a month (%m or %b), a day (%d or %e) and an hour (%H or %I)")
        ) { try TimeFormat("%H:%M:%S") }
        #expect(throws: FormatError("time format '%F %I:%M': %I and %p go together")) { try TimeFormat("%F %I:%M") }
    }
}
