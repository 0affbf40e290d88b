/// Why a line gave no visit. The raw value is the stable key used in summaries and metrics.
public enum SkipReason: String, Sendable, CaseIterable {
    /// A line of the format that records no new visit: DNS replies, forwards, cache and config
    /// lines that follow a query, headers and comments.
    case notAVisit = "not_a_visit"
    /// The line does not have the format's shape.
    case malformed = "malformed"
    /// The time field could not be read.
    case badTime = "bad_time"
    /// A visit line whose host is missing (`-`, empty, an error URL).
    case noHost = "no_host"
    /// A user-defined regex gave up on the line: it hit its match, depth or memory limit
    /// (catastrophic backtracking). Counted apart from `malformed` because it says the pattern,
    /// not the line, needs fixing.
    case matchLimit = "match_limit"
}

/// How parsers turn local wall-clock times (BIND, dnsmasq, syslog) into UTC.
public enum LogTimeZone: Sendable, Equatable {
    case utc
    /// A fixed offset east of UTC, in seconds.
    case fixed(seconds: Int)
    /// The machine's local zone (`TZ`, `/etc/localtime`), with daylight saving time.
    case local
}

/// What a parser may need beyond the line itself.
public struct ParserContext: Sendable {
    /// Used to place timestamps that carry no year (syslog, dnsmasq): the year is chosen so the
    /// time is not more than a day after this reference.
    public var referenceTimeMillis: Int64
    public var timeZone: LogTimeZone

    public init(referenceTimeMillis: Int64, timeZone: LogTimeZone = .local) {
        self.referenceTimeMillis = referenceTimeMillis
        self.timeZone = timeZone
    }
}

/// A log format: turns one line (without its newline) into a ``LogEvent``.
///
/// One instance reads one input, so a parser may keep state between lines (for example to know
/// that a DNS server logs queries, which makes its reply lines no further visits).
public protocol LogParser: Sendable {
    /// The format's id (`squid`, `combined`, `bind9`, `unbound`, `dnsmasq`, …).
    var id: String { get }

    /// Fills `event` from `line`; returns why the line gave no visit, or `nil` for a visit.
    mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason?

    /// How well the first lines of an input fit this format, from 0 (not at all) to 1.
    func sniff(_ firstLines: [UnsafeRawBufferPointer]) -> Double

    /// Moves the "now" that year-less timestamps are placed against (a daemon reads the same
    /// file for days; without this, lines after New Year would get last year).
    mutating func setReferenceTime(_ millis: Int64)
}

extension LogParser {
    /// Formats whose timestamps carry a year need no reference time.
    public mutating func setReferenceTime(_ millis: Int64) {}

    /// The share of non-empty lines this parser reads as a visit or as a known non-visit line.
    public func sniff(_ firstLines: [UnsafeRawBufferPointer]) -> Double {
        var copy = self
        var event = LogEvent()
        var considered = 0
        var fitting = 0
        for line in firstLines where !line.isEmpty {
            considered += 1
            event.reset()
            switch copy.parse(line, into: &event) {
            case nil, .notAVisit?, .noHost?: fitting += 1
            case .malformed?, .badTime?, .matchLimit?: break
            }
        }
        return considered == 0 ? 0 : Double(fitting) / Double(considered)
    }
}

extension LogTimeZone {
    /// `local`, `UTC`/`Z`, or `±HH:MM` / `±HHMM`.
    public static func parse(_ text: String) -> LogTimeZone? {
        switch text.lowercased() {
        case "local": return .local
        case "utc", "z", "gmt": return .utc
        default: break
        }
        let bytes = Array(text.utf8)
        guard bytes.count == 5 || bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-")
        else { return nil }
        let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let values = digits.map { Int($0 - 0x30) }
        let hours = values[0] * 10 + values[1]
        let minutes = values[2] * 10 + values[3]
        guard hours <= 14, minutes < 60 else { return nil }
        let seconds = (hours * 3600 + minutes * 60) * (bytes[0] == UInt8(ascii: "-") ? -1 : 1)
        return .fixed(seconds: seconds)
    }
}
