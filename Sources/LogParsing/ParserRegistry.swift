/// One log format hostwatch can read, as `hostwatch parsers list` shows it.
public struct FormatInfo: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        case builtIn
        /// A `parsers/` definition, by file path.
        case file(String)
    }

    public var id: String
    /// `proxy`, `dns`, `proxy+dns` for formats that log both (Zeek, Suricata), or `proxy|dns`
    /// for the generic formats (as their source says).
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
        FormatInfo(id: "w3c", kind: "proxy", origin: .builtIn, summary: "W3C extended (#Fields:): ProxySG, IIS, TMG"),
        FormatInfo(id: "windows-dns", kind: "dns", origin: .builtIn, summary: "Windows DNS Server debug log (packets)"),
        FormatInfo(id: "coredns", kind: "dns", origin: .builtIn, summary: "CoreDNS log plugin"),
        // Before umbrella: the DNS parser also reads proxy lines (it takes any CSV of that width).
        FormatInfo(id: "umbrella-proxy", kind: "proxy", origin: .builtIn, summary: "Cisco Umbrella proxy (SWG) log CSV"),
        FormatInfo(id: "umbrella", kind: "dns", origin: .builtIn, summary: "Cisco Umbrella DNS log CSV"),
        FormatInfo(id: "zscaler", kind: "proxy", origin: .builtIn, summary: "Zscaler NSS web log feed, CSV"),
        FormatInfo(id: "paloalto", kind: "proxy", origin: .builtIn, summary: "PAN-OS URL filtering log (THREAT url), syslog CSV"),
        FormatInfo(id: "zeek", kind: "proxy+dns", origin: .builtIn, summary: "Zeek dns.log, http.log, ssl.log (TSV, #fields)"),
        FormatInfo(id: "zeek-json", kind: "proxy+dns", origin: .builtIn, summary: "Zeek dns, http, ssl logs as JSON"),
        FormatInfo(id: "suricata", kind: "proxy+dns", origin: .builtIn, summary: "Suricata EVE JSON: dns (v1, v2, v3), http, tls"),
        FormatInfo(id: "zscaler-json", kind: "proxy", origin: .builtIn, summary: "Zscaler NSS web log feed, JSON"),
        FormatInfo(
            id: "squid-logformat", kind: "proxy", origin: .builtIn, summary: "Squid with your logformat (logformat = \"…\")",
            needsOptions: true),
        FormatInfo(
            id: "csv", kind: "proxy|dns", origin: .builtIn, summary: "any CSV (RFC 4180): fields = { host = 3, … }",
            needsOptions: true),
        FormatInfo(
            id: "tsv", kind: "proxy|dns", origin: .builtIn, summary: "any tab-separated log: fields = { host = 3, … }",
            needsOptions: true),
        FormatInfo(
            id: "json", kind: "proxy|dns", origin: .builtIn, summary: "any JSON lines: fields = { host = \"a.b\", … }",
            needsOptions: true),
    ]

    /// Ids of the built-in parsers, in the order sniffing prefers them on a tie.
    public static var builtinIDs: [String] { builtins.map(\.id) }

    /// A fresh built-in parser for one input; `nil` for an id that is not built in.
    public static func make(
        _ id: String, context: ParserContext, options: FormatOptions = FormatOptions()
    ) throws(FormatError) -> (any LogParser)? {
        switch id {
        case "squid": return SquidNativeParser()
        case "combined": return CombinedParser()
        case "bind9": return BIND9Parser(context: context)
        case "unbound": return UnboundParser(context: context)
        case "dnsmasq": return DnsmasqParser(context: context)
        case "w3c": return W3CParser(context: context)
        case "windows-dns": return WindowsDNSParser(context: context)
        case "coredns": return CoreDNSParser(context: context)
        case "umbrella": return UmbrellaParser()
        case "umbrella-proxy": return UmbrellaProxyParser()
        case "zscaler": return ZscalerCSVParser(context: context)
        case "paloalto": return PaloAltoURLParser(context: context)
        case "zeek": return ZeekParser()
        case "zeek-json": return ZeekJSONParser()
        case "suricata": return SuricataEVEParser()
        case "zscaler-json": return ZscalerJSONParser()
        case "json": return try JSONFieldsParser(options: options, context: context)
        case "squid-logformat":
            guard let logformat = options.logformat else {
                throw FormatError("format squid-logformat needs logformat = \"…\" (the format string of squid.conf's logformat line)")
            }
            return try SquidLogformatParser(logformat: logformat, context: context)
        case "csv": return try DelimitedFieldsParser(separator: UInt8(ascii: ","), options: options, context: context)
        case "tsv": return try DelimitedFieldsParser(separator: 0x09, options: options, context: context)
        default: return nil
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
