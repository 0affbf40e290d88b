/// How a configurable format (generic `json`/`csv`/`tsv`, a `parsers/` definition) writes its
/// time field, compiled once from the user's spec and read per line without allocation.
///
/// Specs:
/// - `iso8601`: RFC 3339 / ISO 8601 (`2026-11-29T03:45:04.123Z`; without a zone it is local time);
/// - `epoch`: seconds since 1970, with an optional `.fraction` (`1795923904.827`);
/// - `epoch_millis`, `epoch_micros`: whole milliseconds or microseconds since 1970;
/// - otherwise a strftime-like pattern: `%Y` (4-digit year), `%y` (2-digit, 20xx), `%m`, `%d`,
///   `%e` (space-padded day), `%H`, `%I` (12-hour, with `%p` AM/PM), `%M`, `%S`, `%f` (fraction
///   digits, as milliseconds), `%b` (`Jan`, any case), `%a` (a weekday name, skipped), `%z`
///   (`Z`, `+hhmm`, `+hh:mm`), `%Z` (`UTC`, `GMT`, `Z`), `%s` (epoch seconds), `%T`
///   (`%H:%M:%S`), `%F` (`%Y-%m-%d`), `%%`. A space matches one or more spaces or tabs; other
///   bytes match themselves. Numbers take one digit or more (up to their width), so
///   `%m/%d/%Y %I:%M:%S %p` reads `11/9/2026 3:45:04 AM`.
///
/// A time without `%z`/`%Z` is local time in the parser's zone; one without a year is placed
/// like a syslog time (the latest year that is not more than a day after the reference time).
public struct TimeFormat: Sendable, Equatable {
    @usableFromInline
    enum Mode: Sendable, Equatable {
        case iso8601
        /// Epoch numbers: seconds (a fraction allowed), milliseconds or microseconds.
        case epochSeconds
        case epochMillis
        case epochMicros
        case pattern
    }

    @usableFromInline
    enum Step: Sendable, Equatable {
        case literal(UInt8)
        /// One or more spaces or tabs.
        case spaces
        case year4, year2, month, monthName, day, spacePaddedDay, hour, hour12, minute, second
        case fraction, zoneOffset, zoneName, amPm, weekdayName, epochSeconds
    }

    @usableFromInline let mode: Mode
    @usableFromInline let steps: [Step]
    public let spec: String

    public init(_ spec: String) throws(FormatError) {
        self.spec = spec
        switch spec {
        case "iso8601", "rfc3339":
            mode = .iso8601
            steps = []
            return
        case "epoch": mode = .epochSeconds
        case "epoch_millis": mode = .epochMillis
        case "epoch_micros": mode = .epochMicros
        default: mode = .pattern
        }
        guard mode == .pattern else {
            steps = []
            return
        }
        steps = try Self.compile(spec)
    }

    /// Whether the pattern has no year (then times are placed against the reference time).
    public var lacksYear: Bool {
        mode == .pattern && !steps.contains { $0 == .year4 || $0 == .year2 || $0 == .epochSeconds }
    }

    static func compile(_ spec: String) throws(FormatError) -> [Step] {
        let bytes = Array(spec.utf8)
        var steps: [Step] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 {
                if steps.last != .spaces { steps.append(.spaces) }
                i += 1
                continue
            }
            guard b == UInt8(ascii: "%") else {
                steps.append(.literal(b))
                i += 1
                continue
            }
            guard i + 1 < bytes.count else {
                throw FormatError("time format '\(spec)': a lone % at the end")
            }
            switch bytes[i + 1] {
            case UInt8(ascii: "Y"): steps.append(.year4)
            case UInt8(ascii: "y"): steps.append(.year2)
            case UInt8(ascii: "m"): steps.append(.month)
            case UInt8(ascii: "d"): steps.append(.day)
            case UInt8(ascii: "e"): steps.append(.spacePaddedDay)
            case UInt8(ascii: "H"): steps.append(.hour)
            case UInt8(ascii: "I"): steps.append(.hour12)
            case UInt8(ascii: "M"): steps.append(.minute)
            case UInt8(ascii: "S"): steps.append(.second)
            case UInt8(ascii: "f"): steps.append(.fraction)
            case UInt8(ascii: "b"): steps.append(.monthName)
            case UInt8(ascii: "a"): steps.append(.weekdayName)
            case UInt8(ascii: "z"): steps.append(.zoneOffset)
            case UInt8(ascii: "Z"): steps.append(.zoneName)
            case UInt8(ascii: "p"): steps.append(.amPm)
            case UInt8(ascii: "s"): steps.append(.epochSeconds)
            case UInt8(ascii: "T"): steps += [.hour, .literal(0x3A), .minute, .literal(0x3A), .second]
            case UInt8(ascii: "F"): steps += [.year4, .literal(0x2D), .month, .literal(0x2D), .day]
            case UInt8(ascii: "%"): steps.append(.literal(UInt8(ascii: "%")))
            default:
                let directive = String(decoding: bytes[i...(i + 1)], as: UTF8.self)
                throw FormatError("time format '\(spec)': unknown directive \(directive) at column \(i + 1)")
            }
            i += 2
        }
        if steps.contains(.epochSeconds) { return steps }
        let hasDate = (steps.contains(.month) || steps.contains(.monthName))
            && (steps.contains(.day) || steps.contains(.spacePaddedDay))
        guard hasDate, steps.contains(.hour) || steps.contains(.hour12) else {
            throw FormatError("time format '\(spec)': needs at least a month (%m or %b), a day (%d or %e) and an hour (%H or %I)")
        }
        if steps.contains(.hour12) != steps.contains(.amPm) {
            throw FormatError("time format '\(spec)': %I and %p go together")
        }
        return steps
    }

    /// Reads `bytes[range]` as a time, in UTC milliseconds.
    @inlinable
    public func read(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, clock: inout LineTime) -> LineTime.Read {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, !range.isEmpty else { return .notATime }
        switch mode {
        case .iso8601:
            var cursor = FieldCursor(UnsafeRawBufferPointer(rebasing: bytes[0..<range.upperBound]), from: range.lowerBound)
            let read = clock.iso8601(&cursor)
            return cursor.position == range.upperBound ? read : .notATime
        case .epochSeconds:
            return Self.epoch(bytes, range, scale: 1000)
        case .epochMillis:
            return Self.epoch(bytes, range, scale: 1)
        case .epochMicros:
            return Self.epoch(bytes, range, scale: -1000)
        case .pattern:
            return readPattern(bytes, range, clock: &clock)
        }
    }

    /// An epoch number: `scale` multiplies (seconds → ms: 1000) or, when negative, divides
    /// (µs → ms: -1000). A fraction is read only for seconds.
    @inlinable
    static func epoch(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, scale: Int64) -> LineTime.Read {
        var i = range.lowerBound
        var value: Int64 = 0
        while i < range.upperBound, b[i] &- 0x30 < 10, i - range.lowerBound < 18 {
            value = value &* 10 &+ Int64(b[i] &- 0x30)
            i += 1
        }
        guard i > range.lowerBound else { return .notATime }
        var millis: Int64 = scale > 0 ? value &* scale : value / -scale
        if i < range.upperBound, scale == 1000, b[i] == 0x2E {
            var digits = 0
            var fraction: Int64 = 0
            i += 1
            while i < range.upperBound, b[i] &- 0x30 < 10 {
                if digits < 3 {
                    fraction = fraction * 10 + Int64(b[i] &- 0x30)
                    digits += 1
                }
                i += 1
            }
            while digits < 3 {
                fraction *= 10
                digits += 1
            }
            millis &+= fraction
        }
        return i == range.upperBound ? .millis(millis) : .notATime
    }

    @inlinable
    func readPattern(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, clock: inout LineTime) -> LineTime.Read {
        var i = range.lowerBound
        let end = range.upperBound
        var year = -1, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0
        var pm: Bool?
        var offset: Int?
        var epoch: Int64?

        /// Up to `width` digits, at least one.
        func number(_ width: Int) -> Int? {
            let start = i
            var value = 0
            while i < end, i - start < width, b[i] &- 0x30 < 10 {
                value = value * 10 + Int(b[i] &- 0x30)
                i += 1
            }
            return i > start ? value : nil
        }

        for step in steps {
            switch step {
            case .literal(let byte):
                guard i < end, b[i] == byte else { return .notATime }
                i += 1
            case .spaces:
                let start = i
                while i < end, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
                guard i > start else { return .notATime }
            case .year4:
                guard i + 4 <= end, let value = LogTime.digits(b, at: i, count: 4) else { return .notATime }
                year = value
                i += 4
            case .year2:
                guard i + 2 <= end, let value = LogTime.digits(b, at: i, count: 2) else { return .notATime }
                year = 2000 + value
                i += 2
            case .month:
                guard let value = number(2) else { return .notATime }
                month = value
            case .monthName:
                guard let value = LogTime.month(b, at: i), i + 3 <= end else { return .notATime }
                month = value
                i += 3
            case .day:
                guard let value = number(2) else { return .notATime }
                day = value
            case .spacePaddedDay:
                if i < end, b[i] == 0x20 { i += 1 }
                guard let value = number(2) else { return .notATime }
                day = value
            case .hour, .hour12:
                guard let value = number(2) else { return .notATime }
                hour = value
            case .minute:
                guard let value = number(2) else { return .notATime }
                minute = value
            case .second:
                guard let value = number(2) else { return .notATime }
                second = value
            case .fraction:
                let start = i
                var value = 0
                while i < end, b[i] &- 0x30 < 10 {
                    if i - start < 3 { value = value * 10 + Int(b[i] &- 0x30) }
                    i += 1
                }
                guard i > start else { return .notATime }
                for _ in min(i - start, 3)..<3 { value *= 10 }
                millis = value
            case .zoneOffset:
                guard i < end else { return .notATime }
                if b[i] == 0x5A || b[i] == 0x7A {  // Z
                    offset = 0
                    i += 1
                    continue
                }
                guard b[i] == 0x2B || b[i] == 0x2D, i + 3 <= end, let hh = LogTime.digits(b, at: i + 1, count: 2)
                else { return .notATime }
                let sign = b[i] == 0x2D ? -1 : 1
                i += 3
                if i < end, b[i] == 0x3A { i += 1 }
                var mm = 0
                if i + 2 <= end, let value = LogTime.digits(b, at: i, count: 2) {
                    mm = value
                    i += 2
                }
                offset = sign * (hh * 3600 + mm * 60)
            case .zoneName:
                if i + 3 <= end, b.bytes(in: i..<(i + 3), equal: "UTC") || b.bytes(in: i..<(i + 3), equal: "GMT") {
                    i += 3
                } else if i < end, b[i] == 0x5A {
                    i += 1
                } else {
                    return .notATime
                }
                offset = 0
            case .amPm:
                guard i + 2 <= end, b[i + 1] | 0x20 == 0x6D else { return .notATime }
                switch b[i] | 0x20 {
                case 0x61: pm = false
                case 0x70: pm = true
                default: return .notATime
                }
                i += 2
            case .weekdayName:
                let start = i
                while i < end, (b[i] | 0x20) &- 0x61 < 26 { i += 1 }
                guard i > start else { return .notATime }
            case .epochSeconds:
                let start = i
                while i < end, b[i] &- 0x30 < 10 { i += 1 }
                guard i > start, i - start <= 12 else { return .notATime }
                if case .millis(let value) = Self.epoch(b, start..<i, scale: 1000) { epoch = value }
            }
        }
        guard i == end else { return .notATime }
        if let epoch { return .millis(epoch &+ Int64(millis)) }
        if let pm {
            guard (1...12).contains(hour) else { return .invalid }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        if let offset {
            guard year >= 0 else { return .invalid }
            guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else {
                return .invalid
            }
            let utc = LogTime.utcMillis(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
            return .millis(utc - Int64(offset) * 1000)
        }
        if year < 0 {
            return clock.yearless(month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
        }
        return clock.local(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
    }
}
