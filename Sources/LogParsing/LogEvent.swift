/// One visit read from a log line: byte ranges into the line, valid only until the next line.
///
/// Parsers fill it in place (no allocation per line); the pipeline normalizes `host` into a
/// scratch buffer and builds `String`s only for a hit.
///
/// The ranges index the line itself, unless the parser had to decode it (JSON `\u` escapes,
/// Zeek `\x..`, Windows DNS `(3)www(6)google(3)com(0)`): then it copied the line into a
/// ``DecodedLine`` it owns, decoded there in place, and set ``text``.
public struct LogEvent {
    /// What kind of log recorded the visit.
    public enum Kind: UInt8, Sendable {
        case proxy
        case dns

        public var name: String {
            switch self {
            case .proxy: "proxy"
            case .dns: "dns"
            }
        }
    }

    public var kind: Kind
    /// Milliseconds since the Unix epoch, UTC.
    public var timeMillis: Int64
    /// The host as logged: may still carry a port, brackets, userinfo, a trailing dot,
    /// percent-encoding, DNS `\DDD` escapes or upper case; the pipeline normalizes it.
    public var host: Range<Int>
    public var client: Range<Int>
    /// `nil` when the log has no user or says `-`.
    public var user: Range<Int>?
    public var method: Range<Int>?
    public var url: Range<Int>?
    public var status: Range<Int>?
    public var action: Range<Int>?
    public var qtype: Range<Int>?
    public var rcode: Range<Int>?
    /// The bytes the ranges index when not the line (see above); valid until the next line.
    public var text: UnsafeRawBufferPointer?

    /// The bytes the ranges index: ``text``, or else `line`.
    @inlinable
    public func bytes(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer { text ?? line }

    @inlinable
    public init() {
        kind = .proxy
        timeMillis = 0
        host = 0..<0
        client = 0..<0
    }

    /// Clears every field so a parser can reuse the event for the next line.
    @inlinable
    public mutating func reset() {
        self = LogEvent()
    }
}
