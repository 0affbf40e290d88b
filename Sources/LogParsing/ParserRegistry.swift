/// One log format hostwatch can read, as `hostwatch parsers list` shows it.
public struct FormatInfo: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        case builtIn
        /// A `parsers/` definition, by file path.
        case file(String)
    }

    public var id: String
    /// `proxy`, `dns`, or `proxy+dns` for formats that log both (Zeek, Suricata).
    public var kind: String
    public var origin: Origin
    public var summary: String
    /// Needs settings from its `[[source]]` (`fields`, `logformat`), so sniffing never picks it.
    public var needsOptions: Bool

    public init(id: String, kind: String, origin: Origin, summary: String, needsOptions: Bool = false) {
        self.id = id
        self.kind = kind
        self.origin = origin
        self.summary = summary
        self.needsOptions = needsOptions
    }
}

/// The built-in log formats, by id.
public enum ParserRegistry {
    /// The built-in formats, in the order sniffing prefers them on a tie.
    public static let builtins: [FormatInfo] = [
        FormatInfo(id: "squid", kind: "proxy", origin: .builtIn, summary: "Squid native access.log (logformat squid)"),
        FormatInfo(id: "combined", kind: "proxy", origin: .builtIn, summary: "Squid/Apache combined and common"),
        FormatInfo(id: "bind9", kind: "dns", origin: .builtIn, summary: "BIND 9 query log (queries and rpz categories)"),
        FormatInfo(id: "unbound", kind: "dns", origin: .builtIn, summary: "Unbound log-queries / log-replies"),
        FormatInfo(id: "dnsmasq", kind: "dns", origin: .builtIn, summary: "dnsmasq log-queries"),
    ]

    /// Ids of the built-in parsers, in the order sniffing prefers them on a tie.
    public static var builtinIDs: [String] { builtins.map(\.id) }

    /// A fresh built-in parser for one input; `nil` for an id that is not built in.
    public static func make(
        _ id: String, context: ParserContext, options: FormatOptions = FormatOptions()
    ) throws(FormatError) -> (any LogParser)? {
        switch id {
        case "squid": SquidNativeParser()
        case "combined": CombinedParser()
        case "bind9": BIND9Parser(context: context)
        case "unbound": UnboundParser(context: context)
        case "dnsmasq": DnsmasqParser(context: context)
        default: nil
        }
    }

    /// A fresh built-in parser that needs no options; `nil` for an unknown id.
    public static func make(_ id: String, context: ParserContext) -> (any LogParser)? {
        try? make(id, context: context, options: FormatOptions())
    }

    /// The built-in parser that best fits the first lines of an input, with its score;
    /// `nil` when none reads at least half of them.
    public static func sniff(
        _ firstLines: [UnsafeRawBufferPointer],
        context: ParserContext
    ) -> (id: String, score: Double)? {
        ParserCatalog().sniff(firstLines, context: context).best.map { ($0.id, $0.score) }
    }
}
