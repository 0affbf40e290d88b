import DomainMatch

/// What a block file blocks, read back from its text.
///
/// The change guard compares the old file's entries with the new one's, and tests check that
/// each rendered file reads back to exactly the intended entries. It reads the shapes
/// hostwatch writes, on bytes (a 1M-entry zone reads in well under a second); anything else is
/// counted in ``unknownLines``, so a file hostwatch did not write is never silently taken for
/// one of its own.
public struct ParsedBlockFile: Sendable {
    /// The entries, sorted, one per name (a `name` line plus a `*.name` line is one domain
    /// entry).
    public var entries = BlockSet()
    /// RPZ: the SOA serial.
    public var serial: UInt32?
    /// The first line that is none of the shapes hostwatch writes: its number and text.
    public var firstUnknownLine: (number: Int, text: String)?
    public var unknownLines = 0
    /// The file starts with hostwatch's header (formats that have comments).
    public var hasHeader = false
    /// dnsmasq: names whose subdomains a `server=/*.name/#` line hands back (exact entries).
    private var exactOnly: Set<String> = []

    public var rules: [BlockRule] { entries.rules }

    /// Whether hostwatch could have written this file.
    public func looksWritten(by format: BlockFormat) -> Bool {
        unknownLines == 0 && (format.commentPrefix == nil || hasHeader)
    }

    public static func read(_ bytes: [UInt8], format: BlockFormat) -> ParsedBlockFile {
        var file = ParsedBlockFile()
        let header = format.commentPrefix.map { Array("\($0) hostwatch block list (".utf8) }
        let comment = format.commentPrefix?.utf8.first
        bytes.withUnsafeBytes { text in
            var start = 0
            var number = 0
            while start < text.count {
                var end = start
                while end < text.count, text[end] != 0x0A { end += 1 }
                let line = UnsafeRawBufferPointer(rebasing: text[start..<end])
                start = end + 1
                number += 1
                if number == 1, let header, line.starts(with: header) {
                    file.hasHeader = true
                    continue
                }
                if line.isEmpty || line.first == comment { continue }
                if !file.parseLine(line, format: format) {
                    file.unknownLines += 1
                    if file.firstUnknownLine == nil { file.firstUnknownLine = (number, String(decoding: line, as: UTF8.self)) }
                }
            }
        }
        file.entries.sort()
        file.entries.mergeSameNames()
        if !file.exactOnly.isEmpty {
            for i in file.entries.entries.indices where file.exactOnly.contains(file.entries.name(of: file.entries.entries[i])) {
                file.entries.entries[i].scope = .exact
            }
        }
        return file
    }

    /// Adds the entry a line names; `false` when the line is not one hostwatch writes.
    private mutating func parseLine(_ line: UnsafeRawBufferPointer, format: BlockFormat) -> Bool {
        func add(_ range: Range<Int>, _ scope: MatchScope) -> Bool {
            guard range.lowerBound <= range.upperBound, range.upperBound <= line.count else { return false }
            let name = UnsafeRawBufferPointer(rebasing: line[range])
            guard BlockName.problem(name) == nil else { return false }
            entries.append(name, scope: scope, risk: nil)
            return true
        }
        func has(_ prefix: String, at offset: Int = 0) -> Bool {
            var i = offset
            for byte in prefix.utf8 {
                guard i < line.count, line[i] == byte else { return false }
                i += 1
            }
            return true
        }
        func index(of byte: UInt8, from offset: Int) -> Int? {
            var i = offset
            while i < line.count {
                if line[i] == byte { return i }
                i += 1
            }
            return nil
        }
        let n = line.count
        switch format {
        case .squid:
            return line[0] == UInt8(ascii: ".") ? add(1..<n, .domainAndSubdomains) : add(0..<n, .exact)
        case .edl:
            return has("*.") ? add(2..<n, .domainAndSubdomains) : add(0..<n, .exact)
        case .plain:
            return add(0..<n, .exact)
        case .hosts:
            guard let space = index(of: 0x20, from: 0) else { return false }
            return add((space + 1)..<n, .exact)
        case .rpz:
            if has("$ORIGIN ") || has("$TTL ") || has("@ IN NS ") { return true }
            if has("@ IN SOA ") {
                // `@ IN SOA mname rname SERIAL …`: the serial is the sixth word.
                let words = line.split(separator: 0x20)
                guard words.count == 10, let serial = UInt32(String(decoding: words[5], as: UTF8.self)) else { return false }
                self.serial = serial
                return true
            }
            guard let space = index(of: 0x20, from: 0), index(of: 0x20, from: space + 1) != nil else { return false }
            return has("*.") ? add(2..<space, .domainAndSubdomains) : add(0..<space, .exact)
        case .unbound:
            if has("server:"), n == 7 { return true }
            // `local-zone: "name." type` or `local-data: "name. TYPE address"`.
            let zone = has("local-zone: \"")
            guard zone || has("local-data: \""), let dotQuote = index(of: 0x20, from: 13) else { return false }
            let nameEnd = zone ? dotQuote - 2 : dotQuote - 1
            guard nameEnd > 13, line[nameEnd] == 0x2E else { return false }
            return add(13..<nameEnd, zone ? .domainAndSubdomains : .exact)
        case .dnsmasq:
            if has("server=/*.") {
                // The subdomains of an exact entry, handed back to the normal servers.
                guard let slash = index(of: 0x2F, from: 10), has("/#", at: slash), slash + 2 == n,
                    BlockName.problem(UnsafeRawBufferPointer(rebasing: line[10..<slash])) == nil
                else { return false }
                exactOnly.insert(String(decoding: line[10..<slash], as: UTF8.self))
                return true
            }
            let start = has("address=/") ? 9 : has("local=/") ? 7 : -1
            guard start > 0, let slash = index(of: 0x2F, from: start) else { return false }
            return add(start..<slash, .domainAndSubdomains)
        }
    }
}
