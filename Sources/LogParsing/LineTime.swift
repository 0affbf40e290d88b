/// Reads the timestamps DNS servers and syslog write at the start of a line, into UTC milliseconds.
///
/// Shapes:
/// - syslog (RFC 3164), local time without a year: `Nov 29 03:45:04`, `Nov  9 03:45:04`,
///   optionally with a fraction (`Nov 29 03:45:04.123456`);
/// - ISO 8601 / RFC 3339: `2026-11-29T03:45:04`, optional fraction, optional zone
///   (`Z`, `+01:00`, `+0100`); without a zone it is local time.
///
/// Local times go through a ``WallClock`` in the context's zone. A year-less time gets the latest
/// year that puts it no more than one day after the context's reference time.
public struct LineTime: Sendable {
    /// What a reader found at the cursor.
    public enum Read: Equatable, Sendable {
        /// The bytes do not have the shape; the cursor did not move.
        case notATime
        /// The shape is there but the values are impossible (hour 25, day 0).
        case invalid
        case millis(Int64)
    }

    @usableFromInline var clock: WallClock
    @usableFromInline var referenceMillis: Int64
    @usableFromInline var referenceYear: Int
    @usableFromInline var referenceMonth: Int

    public init(context: ParserContext) {
        clock = WallClock(zone: context.timeZone)
        referenceMillis = 0
        referenceYear = 0
        referenceMonth = 0
        setReference(context.referenceTimeMillis)
    }

    /// Places later year-less times against `millis` instead.
    public mutating func setReference(_ millis: Int64) {
        referenceMillis = millis
        let civil = LogTime.civil(fromDays: Int(millis.floorDiv(86_400_000)))
        referenceYear = civil.year
        referenceMonth = civil.month
    }

    /// A local wall-clock time with a known year.
    @inlinable
    public mutating func local(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int
    ) -> Read {
        guard let t = clock.millis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
        else { return .invalid }
        return .millis(t)
    }

    /// `Mmm dd hh:mm:ss[.fff…]` (day zero- or space-padded), a year-less local time.
    @inlinable
    public mutating func syslog(_ cursor: inout FieldCursor) -> Read {
        let b = cursor.bytes
        var i = cursor.position
        guard let month = LogTime.month(b, at: i), i + 4 < cursor.end, b[i + 3] == 0x20 else { return .notATime }
        i += 4
        if b[i] == 0x20 { i += 1 }  // "Nov  9"
        var day = 0
        let dayStart = i
        while i < cursor.end, i - dayStart < 2, let d = LogTime.digits(b, at: i, count: 1) {
            day = day * 10 + d
            i += 1
        }
        guard i > dayStart, i < cursor.end, b[i] == 0x20 else { return .notATime }
        i += 1
        guard let (hour, minute, second, afterClock) = Self.clock(b, at: i, end: cursor.end) else { return .notATime }
        let (millis, next) = Self.fraction(b, at: afterClock, end: cursor.end)
        cursor.position = next
        return yearless(month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
    }

    /// A local wall-clock time without a year: the latest year that puts it no more than one day
    /// after the reference time.
    @inlinable
    public mutating func yearless(month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) -> Read {
        guard var t = clock.millis(
            year: referenceYear, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
        else { return .invalid }
        let latest = referenceMillis &+ 86_400_000
        if t > latest {
            guard let earlier = clock.millis(
                year: referenceYear - 1, month: month, day: day, hour: hour, minute: minute, second: second,
                millis: millis)
            else { return .invalid }
            t = earlier
        } else if month == 1, referenceMonth == 12,
            let later = clock.millis(
                year: referenceYear + 1, month: month, day: day, hour: hour, minute: minute, second: second,
                millis: millis),
            later <= latest
        {
            t = later
        }
        return .millis(t)
    }

    /// `yyyy-mm-ddThh:mm:ss[.fff…][Z|±hh:mm|±hhmm]`.
    @inlinable
    public mutating func iso8601(_ cursor: inout FieldCursor) -> Read {
        let b = cursor.bytes
        let i = cursor.position
        guard i + 19 <= cursor.end, let year = LogTime.digits(b, at: i, count: 4), b[i + 4] == 0x2D,
            let month = LogTime.digits(b, at: i + 5, count: 2), b[i + 7] == 0x2D,
            let day = LogTime.digits(b, at: i + 8, count: 2), b[i + 10] == 0x54,  // 'T'
            let (hour, minute, second, afterClock) = Self.clock(b, at: i + 11, end: cursor.end)
        else { return .notATime }
        var (millis, j) = Self.fraction(b, at: afterClock, end: cursor.end)
        var offsetSeconds: Int?
        if j < cursor.end, b[j] == 0x5A {  // 'Z'
            offsetSeconds = 0
            j += 1
        } else if j + 5 <= cursor.end, b[j] == 0x2B || b[j] == 0x2D, let hh = LogTime.digits(b, at: j + 1, count: 2) {
            let colon = b[j + 3] == 0x3A ? 1 : 0
            guard let mm = LogTime.digits(b, at: j + 3 + colon, count: 2) else { return .notATime }
            offsetSeconds = (b[j] == 0x2D ? -1 : 1) * (hh * 3600 + mm * 60)
            j += 5 + colon
        }
        cursor.position = j
        guard let offset = offsetSeconds else {
            return local(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else {
            return .invalid
        }
        millis = millis < 1000 ? millis : 999
        let utc = LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
        return .millis(utc - Int64(offset) * 1000)
    }

    /// `hh:mm:ss` at `i`; the position after it.
    @inlinable
    static func clock(_ b: UnsafeRawBufferPointer, at i: Int, end: Int) -> (Int, Int, Int, Int)? {
        guard i + 8 <= end, let hour = LogTime.digits(b, at: i, count: 2), b[i + 2] == 0x3A,
            let minute = LogTime.digits(b, at: i + 3, count: 2), b[i + 5] == 0x3A,
            let second = LogTime.digits(b, at: i + 6, count: 2)
        else { return nil }
        return (hour, minute, second, i + 8)
    }

    /// An optional `.digits` fraction at `i`, as milliseconds (extra digits are dropped).
    @inlinable
    static func fraction(_ b: UnsafeRawBufferPointer, at i: Int, end: Int) -> (millis: Int, next: Int) {
        guard i < end, b[i] == 0x2E else { return (0, i) }
        var j = i + 1
        var millis = 0
        var count = 0
        while j < end, let d = LogTime.digits(b, at: j, count: 1) {
            if count < 3 { millis = millis * 10 + d }
            count += 1
            j += 1
        }
        if count == 0 { return (0, i) }
        while count < 3 {
            millis *= 10
            count += 1
        }
        return (millis, j)
    }

}

extension Int64 {
    fileprivate func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
