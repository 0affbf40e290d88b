/// What a `[[source]]` tells the formats that need more than their id: the generic `json`,
/// `csv` and `tsv` formats (which field is which) and `squid-logformat` (the Squid
/// `logformat` string the proxy writes with).
public struct FormatOptions: Sendable, Equatable {
    /// hostwatch field (`time`, `client`, `user`, `host`, `url`, `method`, `status`, `action`,
    /// `qtype`, `rcode`) → where the log keeps it: a dotted key path for `json`
    /// (`dns.rrname`), a column for `csv`/`tsv` (its header name, or its number from 1).
    public var fields: [String: String]
    /// What the generic formats record: proxy requests or DNS queries.
    public var kind: LogEvent.Kind
    /// How the generic formats write `time` (see ``TimeFormat``); `nil`: ISO 8601.
    public var timeFormat: String?
    /// `squid-logformat`: the format string of the proxy's `logformat` directive, without the
    /// directive and name (`%ts.%03tu %6tr %>a …`).
    public var logformat: String?
    /// `csv`/`tsv`: whether the first line names the columns (then `fields` may use the names).
    public var header: Bool

    public init(
        fields: [String: String] = [:], kind: LogEvent.Kind = .proxy, timeFormat: String? = nil,
        logformat: String? = nil, header: Bool = false
    ) {
        self.fields = fields
        self.kind = kind
        self.timeFormat = timeFormat
        self.logformat = logformat
        self.header = header
    }
}

/// Why a format could not be set up from its options, worded for the user.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
