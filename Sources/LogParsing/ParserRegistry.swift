/// The built-in log formats, by id, and the format sniffing behind `--format auto`.
public enum ParserRegistry {
    /// Ids of the built-in parsers, in the order sniffing prefers them on a tie.
    public static let builtinIDs: [String] = ["squid", "combined", "bind9", "unbound", "dnsmasq"]

    /// A fresh parser for one input, or `nil` for an unknown id.
    public static func make(_ id: String, context: ParserContext) -> (any LogParser)? {
        switch id {
        case "squid": SquidNativeParser()
        case "combined": CombinedParser()
        case "bind9": BIND9Parser(context: context)
        case "unbound": UnboundParser(context: context)
        case "dnsmasq": DnsmasqParser(context: context)
        default: nil
        }
    }

    /// The built-in parser that best fits the first lines of an input, with its score;
    /// `nil` when none reads at least half of them.
    public static func sniff(
        _ firstLines: [UnsafeRawBufferPointer],
        context: ParserContext
    ) -> (id: String, score: Double)? {
        var best: (id: String, score: Double)?
        for id in builtinIDs {
            guard let parser = make(id, context: context) else { continue }
            let score = parser.sniff(firstLines)
            if score >= 0.5, score > (best?.score ?? 0) { best = (id, score) }
        }
        return best
    }
}
