import DomainMatch

/// What a block file blocks, read back from its text.
///
/// The change guard compares the old file's rules with the new one's, and tests check that
/// each rendered file re-reads to exactly the intended rules. It reads the shapes hostwatch
/// writes; anything else is counted in ``unknownLines``, so a file hostwatch did not write is
/// never silently taken for one of its own.
public struct ParsedBlockFile: Sendable, Equatable {
    /// Sorted, without duplicates.
    public var rules: [BlockRule]
    /// RPZ: the SOA serial.
    public var serial: UInt32?
    /// Lines that are none of the shapes hostwatch writes: the first one's number and text.
    public var firstUnknownLine: (number: Int, text: String)?
    public var unknownLines = 0
    /// The file starts with hostwatch's header (formats that have comments).
    public var hasHeader = false

    public static func == (a: ParsedBlockFile, b: ParsedBlockFile) -> Bool {
        a.rules == b.rules && a.serial == b.serial && a.unknownLines == b.unknownLines && a.hasHeader == b.hasHeader
    }

    /// Whether hostwatch could have written this file.
    public func looksWritten(by format: BlockFormat) -> Bool {
        unknownLines == 0 && (format.commentPrefix == nil || hasHeader)
    }

    public static func read(_ bytes: [UInt8], format: BlockFormat) -> ParsedBlockFile {
        var file = ParsedBlockFile(rules: [])
        var domains = Set<String>()
        var exacts = Set<String>()
        /// Unbound: names with a blocking local-zone, and names with local-data only.
        var lineNumber = 0
        var start = 0
        let header = format.commentPrefix.map { "\($0) hostwatch block list (" }
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let line = String(decoding: bytes[start..<end], as: UTF8.self)
            start = end + 1
            lineNumber += 1
            if lineNumber == 1, let header, line.hasPrefix(header) {
                file.hasHeader = true
                continue
            }
            if line.isEmpty { continue }
            if let prefix = format.commentPrefix, line.hasPrefix(prefix) { continue }
            if !parseLine(line, format: format, domains: &domains, exacts: &exacts, serial: &file.serial) {
                file.unknownLines += 1
                if file.firstUnknownLine == nil { file.firstUnknownLine = (lineNumber, line) }
            }
        }
        // A name with both its own line and a `*.name` line (RPZ, EDL) is one domain entry.
        exacts.subtract(domains)
        file.rules = (domains.map { BlockRule($0, .domainAndSubdomains) } + exacts.map { BlockRule($0, .exact) }).sorted()
        return file
    }

    private static func parseLine(
        _ line: String, format: BlockFormat, domains: inout Set<String>, exacts: inout Set<String>,
        serial: inout UInt32?
    ) -> Bool {
        func name(_ text: Substring) -> String? {
            BlockName.problem(String(text)) == nil ? String(text) : nil
        }
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        switch format {
        case .squid:
            if line.hasPrefix("."), let n = name(line.dropFirst()) { domains.insert(n); return true }
            if let n = name(Substring(line)) { exacts.insert(n); return true }
        case .edl, .plain:
            if format == .edl, line.hasPrefix("*."), let n = name(line.dropFirst(2)) { domains.insert(n); return true }
            if let n = name(Substring(line)) { exacts.insert(n); return true }
        case .hosts:
            if words.count == 2, let n = name(words[1]) { exacts.insert(n); return true }
        case .rpz:
            if line.hasPrefix("$ORIGIN ") || line.hasPrefix("$TTL ") || line.hasPrefix("@ IN NS ") { return true }
            if line.hasPrefix("@ IN SOA "), words.count == 10, let value = UInt32(words[5]) {
                serial = value
                return true
            }
            guard words.count == 3 else { return false }
            if words[0].hasPrefix("*."), let n = name(words[0].dropFirst(2)) { domains.insert(n); return true }
            if let n = name(words[0]) { exacts.insert(n); return true }
        case .unbound:
            if line == "server:" { return true }
            if line.hasPrefix("local-zone: \""), words.count == 3, words[1].hasSuffix(".\""),
                let n = name(words[1].dropFirst().dropLast(2))
            {
                domains.insert(n)
                return true
            }
            if line.hasPrefix("local-data: \""), words.count == 4, words[1].hasSuffix("."),
                let n = name(words[1].dropFirst().dropLast())
            {
                // Local data inside a blocking zone is the zone's redirect answer.
                exacts.insert(n)
                return true
            }
        case .dnsmasq:
            for prefix in ["address=/", "local=/"] where line.hasPrefix(prefix) {
                let rest = line.dropFirst(prefix.count)
                guard let slash = rest.firstIndex(of: "/"), let n = name(rest[..<slash]) else { return false }
                domains.insert(n)
                return true
            }
        }
        return false
    }
}
