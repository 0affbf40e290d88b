import DomainMatch

/// The Public Suffix List (publicsuffix.org), as Debian's `publicsuffix` package installs it:
/// names under which anyone can register (`com`, `co.uk`, `github.io`). Blocking one would
/// block everybody under it, so no block file ever contains one.
///
/// Both sections are used (ICANN and private): `github.io` is as much a shared suffix as
/// `co.uk`. Rules in Unicode are stored in punycode, the form names are compared in.
public struct PublicSuffixList: Sendable {
    /// Where Debian's `publicsuffix` package puts the list.
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The rules in a ``HostMatcher``, so a check is a probe or two and allocates nothing:
    /// `co.uk` (that name is a public suffix) as an exact watch entry, `*.ck` (every name
    /// directly under `ck` is one) as a domain watch entry on `ck`, and `!www.ck` (but not this
    /// one) as an exact allow entry.
    private let table: HostMatcher

    public let ruleCount: Int

    /// Parses the list's text; a rule that does not normalize is an error with its line.
    public init(text: [UInt8], file: String) throws(BlockRulesError) {
        var builder = HostMatcherBuilder()
        var count = 0
        var lineNumber = 0
        var start = 0
        while start < text.count {
            lineNumber += 1
            var end = start
            while end < text.count, text[end] != 0x0A { end += 1 }
            // A rule is the line up to the first white space; `//` starts a comment line.
            var ruleEnd = start
            while ruleEnd < end, text[ruleEnd] != 0x20, text[ruleEnd] != 0x09, text[ruleEnd] != 0x0D { ruleEnd += 1 }
            let rule = String(decoding: text[start..<ruleEnd], as: UTF8.self)
            start = end + 1
            if rule.isEmpty || rule.hasPrefix("//") { continue }
            var body = Substring(rule)
            var kind = 0
            if body.hasPrefix("!") {
                kind = 2
                body = body.dropFirst()
            } else if body.hasPrefix("*.") {
                kind = 1
                body = body.dropFirst(2)
            }
            guard case .success(let normalized) = HostNormalizer.normalize(body), normalized.kind == .name else {
                throw BlockRulesError("\(file):\(lineNumber): '\(rule)' is not a valid public suffix rule")
            }
            var name = normalized.name
            name.withUTF8 { bytes in
                let raw = UnsafeRawBufferPointer(bytes)
                switch kind {
                case 1: builder.add(raw, kind: .name, scope: .domainAndSubdomains, role: .watch)
                case 2: builder.add(raw, kind: .name, scope: .exact, role: .allow)
                default: builder.add(raw, kind: .name, scope: .exact, role: .watch)
                }
            }
            count += 1
        }
        guard count > 0 else { throw BlockRulesError("\(file): no public suffix rules in it") }
        table = builder.build()
        ruleCount = count
    }

    /// Loads the list from `path`; a missing file says which package provides it.
    public static func load(path: String = debianPath) throws(BlockRulesError) -> PublicSuffixList {
        guard let bytes = try readFileIfExists(path) else {
            throw BlockRulesError(
                "\(path): cannot read the Public Suffix List (No such file or directory); install Debian's 'publicsuffix' "
                    + "package (apt-get install publicsuffix) or set its path (--public-suffix-list / public_suffix_list)")
        }
        return try PublicSuffixList(text: bytes, file: path)
    }

    /// Whether `name` (canonical form) is itself a public suffix.
    public func isPublicSuffix(_ name: UnsafeRawBufferPointer) -> Bool {
        let on = table.entries(onName: name)
        if on.exactAllow { return false }
        if on.exactWatch != nil { return true }
        guard let dot = name.firstIndex(of: 0x2E) else {
            // The list's default rule "*": every top-level domain is a public suffix.
            return true
        }
        return table.entries(onName: UnsafeRawBufferPointer(rebasing: name[(dot + 1)...])).domainWatch != nil
    }

    public func isPublicSuffix(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isPublicSuffix(UnsafeRawBufferPointer($0)) }
    }
}

/// A problem that stops a block file from being written or published; the message names the
/// file and the reason.
public struct BlockRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for counters and exit codes.
    public enum Kind: String, Sendable {
        case config
        /// The new file would change too many entries at once: the old one is kept.
        case changeGuard = "change_guard"
        /// The validator rejected the new file: the old one is kept.
        case validation
        /// The reload command failed: the old file was put back.
        case reload
        /// The file at the path was not written by hostwatch: it is left alone.
        case foreignFile = "foreign_file"
        /// Reading or writing a file failed.
        case io
    }

    public var kind: Kind
    public var description: String

    public init(_ description: String, kind: Kind = .config) {
        self.kind = kind
        self.description = description
    }
}
