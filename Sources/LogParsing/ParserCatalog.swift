/// Every format a run can use: the built-in ones and the user's `parsers/` definitions.
///
/// Built once from the configuration; `make` gives each input its own parser instance.
public struct ParserCatalog: Sendable, Equatable {
    /// The formats, built-ins first, in the order sniffing prefers them on a tie.
    public let formats: [FormatInfo]
    /// The user's definitions, in file-name order.
    public let definitions: [ParserDefinition]

    public init(definitions: [ParserDefinition] = []) {
        self.definitions = definitions
        formats =
            ParserRegistry.builtins
            + definitions.map { FormatInfo(id: $0.id, kind: $0.kind.name, origin: .file($0.file), summary: $0.description) }
    }

    /// The built-in formats and the definitions of `directory` (`*.toml`); a broken file is a
    /// problem (with its file and line) and leaves that format out, not the others.
    public static func load(directory: String) -> (catalog: ParserCatalog, problems: [DefinitionProblem]) {
        let loaded = ParserDefinition.load(directory: directory, builtinIDs: ParserRegistry.builtinIDs)
        return (ParserCatalog(definitions: loaded.definitions), loaded.problems)
    }

    public static func == (lhs: ParserCatalog, rhs: ParserCatalog) -> Bool { lhs.formats == rhs.formats }

    public func definition(_ id: String) -> ParserDefinition? { definitions.first { $0.id == id } }

    public func contains(_ id: String) -> Bool { formats.contains { $0.id == id } }

    public var ids: [String] { formats.map(\.id) }

    /// A fresh parser for one input.
    public func make(
        _ id: String, context: ParserContext, options: FormatOptions = FormatOptions()
    ) throws(FormatError) -> any LogParser {
        if let parser = try ParserRegistry.make(id, context: context, options: options) { return parser }
        if let definition = definition(id) { return PCRE2Parser(definition: definition, context: context) }
        throw FormatError("unknown format '\(id)'; known: auto, \(ids.joined(separator: ", "))")
    }

    /// What sniffing decided, and why, for the user.
    public struct Sniffed: Sendable {
        /// How one format scored.
        public struct Score: Sendable {
            public var id: String
            /// Share of the non-empty lines it read (as a visit or as a known non-visit line).
            public var score: Double
        }

        /// Every format that can be sniffed, best first.
        public var scores: [Score]
        /// Non-empty lines looked at.
        public var lines: Int

        /// The winner, if one read at least half of the lines.
        public var best: Score? {
            guard let first = scores.first, first.score >= 0.5 else { return nil }
            return first
        }

        /// When none fits: `best: bind9 read 3/20, of 14 formats tried`.
        public var bestGuess: String {
            guard let first = scores.first else { return "no format to try" }
            let read = Int((first.score * Double(lines)).rounded())
            return "best: \(first.id) read \(read)/\(lines), of \(scores.count) formats tried"
        }

        /// `read 20/20 first lines; next best: combined 3/20`, or `…; no other format reads any`.
        public var reason: String {
            func count(_ s: Score) -> Int { Int((s.score * Double(lines)).rounded()) }
            guard let first = scores.first else { return "no format to try" }
            var text = "read \(count(first))/\(lines) first lines"
            if scores.count > 1 {
                let next = count(scores[1])
                text += next == 0 ? "; no other format reads any" : "; next best: \(scores[1].id) \(next)/\(lines)"
            }
            return text
        }
    }

    /// Tries every format that needs no options on the first lines of an input.
    public func sniff(_ firstLines: [UnsafeRawBufferPointer], context: ParserContext) -> Sniffed {
        var scores: [Sniffed.Score] = []
        for format in formats where !format.needsOptions {
            guard let parser = try? make(format.id, context: context) else { continue }
            scores.append(Sniffed.Score(id: format.id, score: parser.sniff(firstLines)))
        }
        // Stable: on a tie the earlier format wins.
        let ranked = scores.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        return Sniffed(scores: ranked, lines: firstLines.filter { !$0.isEmpty }.count)
    }
}

/// Calls a generic function with a parser's concrete type, so the per-line loop is specialized
/// for it: through the existential every line would pay for witness-table calls (measured on
/// the Squid parser: about 2× slower).
public protocol ParserVisitor {
    associatedtype Output
    mutating func visit<P: LogParser>(_ parser: P) -> Output
}

extension ParserCatalog {
    @inlinable
    public static func open<V: ParserVisitor>(_ parser: any LogParser, with visitor: inout V) -> V.Output {
        switch parser {
        case let parser as SquidNativeParser: visitor.visit(parser)
        case let parser as CombinedParser: visitor.visit(parser)
        case let parser as BIND9Parser: visitor.visit(parser)
        case let parser as UnboundParser: visitor.visit(parser)
        case let parser as DnsmasqParser: visitor.visit(parser)
        case let parser as W3CParser: visitor.visit(parser)
        case let parser as WindowsDNSParser: visitor.visit(parser)
        case let parser as CoreDNSParser: visitor.visit(parser)
        case let parser as UmbrellaParser: visitor.visit(parser)
        case let parser as UmbrellaProxyParser: visitor.visit(parser)
        case let parser as ZscalerCSVParser: visitor.visit(parser)
        case let parser as PaloAltoURLParser: visitor.visit(parser)
        case let parser as SquidLogformatParser: visitor.visit(parser)
        case let parser as DelimitedFieldsParser: visitor.visit(parser)
        case let parser as PCRE2Parser: visitor.visit(parser)
        case let parser as ZeekParser: visitor.visit(parser)
        case let parser as ZeekJSONParser: visitor.visit(parser)
        case let parser as SuricataEVEParser: visitor.visit(parser)
        case let parser as ZscalerJSONParser: visitor.visit(parser)
        case let parser as JSONFieldsParser: visitor.visit(parser)
        default: visitor.visit(parser)
        }
    }
}
