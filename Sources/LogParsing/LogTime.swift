#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calendar arithmetic for log timestamps, without `Date` or `Calendar` on the hot path.
public enum LogTime {
    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Milliseconds since the epoch for a wall-clock time that is already UTC.
    @inlinable
    public static func utcMillis(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int
    ) -> Int64 {
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return seconds * 1000 + Int64(millis)
    }

    /// Month number (1–12) of an English three-letter abbreviation (`Jan`…`Dec`, any case).
    @inlinable
    public static func month(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Int? {
        guard i + 3 <= bytes.count else { return nil }
        let a = bytes[i] | 0x20, b = bytes[i + 1] | 0x20, c = bytes[i + 2] | 0x20
        switch (a, b, c) {
        case (0x6A, 0x61, 0x6E): return 1  // jan
        case (0x66, 0x65, 0x62): return 2  // feb
        case (0x6D, 0x61, 0x72): return 3  // mar
        case (0x61, 0x70, 0x72): return 4  // apr
        case (0x6D, 0x61, 0x79): return 5  // may
        case (0x6A, 0x75, 0x6E): return 6  // jun
        case (0x6A, 0x75, 0x6C): return 7  // jul
        case (0x61, 0x75, 0x67): return 8  // aug
        case (0x73, 0x65, 0x70): return 9  // sep
        case (0x6F, 0x63, 0x74): return 10  // oct
        case (0x6E, 0x6F, 0x76): return 11  // nov
        case (0x64, 0x65, 0x63): return 12  // dec
        default: return nil
        }
    }

    /// Reads exactly `count` decimal digits at `i`.
    @inlinable
    public static func digits(_ bytes: UnsafeRawBufferPointer, at i: Int, count: Int) -> Int? {
        guard i >= 0, i + count <= bytes.count else { return nil }
        var value = 0
        for k in i..<(i + count) {
            let d = bytes[k] &- 0x30
            if d > 9 { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }
}

/// Converts wall-clock times of one zone to UTC milliseconds.
///
/// For `.local` it asks the C library (`mktime`) once per distinct hour and caches the offset,
/// so daylight-saving changes inside a file are honoured without a libc call per line.
public struct WallClock: Sendable {
    public let zone: LogTimeZone
    @usableFromInline var cachedHourKey: Int64 = .min
    @usableFromInline var cachedOffsetSeconds: Int64 = 0

    public init(zone: LogTimeZone) {
        self.zone = zone
    }

    /// UTC milliseconds of a wall-clock time in this zone; `nil` for an impossible date.
    @inlinable
    public mutating func millis(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int
    ) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60,
            millis < 1000
        else { return nil }
        let wall = LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
        switch zone {
        case .utc:
            return wall
        case .fixed(let seconds):
            return wall - Int64(seconds) * 1000
        case .local:
            let hourKey = wall / 3_600_000
            if hourKey != cachedHourKey {
                cachedHourKey = hourKey
                cachedOffsetSeconds = Self.localOffset(year: year, month: month, day: day, hour: hour)
            }
            return wall - cachedOffsetSeconds * 1000
        }
    }

    /// Seconds east of UTC in the local zone at the given local hour.
    @usableFromInline
    static func localOffset(year: Int, month: Int, day: Int, hour: Int) -> Int64 {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = 30
        parts.tm_isdst = -1
        let utc = mktime(&parts)
        if utc == -1 { return 0 }
        let wall = LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: 30, second: 0, millis: 0) / 1000
        return wall - Int64(utc)
    }
}
