#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import DomainMatch

/// The plain-text list format: one entry per line, as analysts paste them.
///
/// ```
/// # phishing kits seen this week          ← whole-line comment
/// evil-brand.com                           ← the domain and all its subdomains
/// *.phish-bank.org                         ← same as phish-bank.org
/// =login.example.net                       ← this exact name only
/// Bücher-Login.example.                    ← any case, trailing dot, U-labels (→ punycode)
/// https://secure.bad.example/path?x=1      ← a pasted URL: its host
/// 203.0.113.7                              ← an IP literal (exact)
/// evil.example risk=90 tags=phishing,brand # optional metadata, then a comment
/// ```
///
/// Blank lines are ignored. A name must be valid after normalization (see ``HostNormalizer``),
/// and a watched name needs at least two labels: a bare `com` would flag a whole TLD.
public struct PlainListParser {
    /// One entry as read from a line.
    public struct Entry: Sendable, Equatable {
        public var name: [UInt8]
        public var kind: HostKind
        public var scope: MatchScope
        public var tags: [String]
        public var risk: Int?
    }

    let file: String

    public init(file: String) {
        self.file = file
    }

    /// Calls `body` for each entry or error in line order; `body` returns `false` to stop.
    public mutating func forEachEntry(
        in text: UnsafeRawBufferPointer,
        _ body: (Result<Entry, WatchlistError>) -> Bool
    ) {
        var start = 0
        var lineNumber = 0
        // A UTF-8 byte order mark from a Windows editor.
        if text.count >= 3, text[0] == 0xEF, text[1] == 0xBB, text[2] == 0xBF { start = 3 }
        while start < text.count {
            lineNumber += 1
            var end = start
            while end < text.count, text[end] != 0x0A { end += 1 }
            let line = UnsafeRawBufferPointer(rebasing: text[start..<end])
            start = end + 1
            switch parseLine(line, number: lineNumber) {
            case nil: continue
            case .some(let result): if !body(result) { return }
            }
        }
    }

    /// `nil` for blank and comment lines.
    func parseLine(_ line: UnsafeRawBufferPointer, number: Int) -> Result<Entry, WatchlistError>? {
        // Cut the comment, then split on spaces and tabs.
        var end = line.count
        if let hash = line.firstIndex(of: UInt8(ascii: "#")) { end = hash }
        var tokens: [Range<Int>] = []
        var i = 0
        while i < end {
            while i < end, Self.isSpace(line[i]) { i += 1 }
            let tokenStart = i
            while i < end, !Self.isSpace(line[i]) { i += 1 }
            if i > tokenStart { tokens.append(tokenStart..<i) }
        }
        guard let first = tokens.first else { return nil }
        func fail(_ reason: String) -> Result<Entry, WatchlistError> {
            .failure(WatchlistError(file: file, line: number, reason: reason))
        }
        let raw = Array(line[first])
        var quoted: String { "'\(String(decoding: raw, as: UTF8.self))'" }

        var scope = MatchScope.domainAndSubdomains
        var nameBytes = raw[...]
        if nameBytes.first == UInt8(ascii: "=") {
            scope = .exact
            nameBytes = nameBytes.dropFirst()
        } else if nameBytes.starts(with: [UInt8(ascii: "*"), UInt8(ascii: ".")]) {
            nameBytes = nameBytes.dropFirst(2)
        } else if nameBytes.first == UInt8(ascii: ".") {
            nameBytes = nameBytes.dropFirst()
        }
        if let host = Self.hostOfURL(nameBytes) {
            nameBytes = host
        } else if nameBytes.contains(UInt8(ascii: "/")) {
            return fail("\(quoted) has a '/' but no scheme: give a host name, or a whole URL with its scheme")
        }
        if nameBytes.contains(UInt8(ascii: "*")) {
            return fail("\(quoted): '*' is only allowed as a leading '*.' (which means the domain itself)")
        }

        var entry = Entry(name: [], kind: .name, scope: scope, tags: [], risk: nil)
        let normalized: Result<NormalizedHost, HostRejection> = Array(nameBytes).withUnsafeBytes { input in
            withUnsafeTemporaryAllocation(byteCount: HostNormalizer.outputCapacity, alignment: 1) { out in
                let result = HostNormalizer.normalize(input, into: out)
                if case .success(let host) = result { entry.name = Array(out[0..<host.count]) }
                return result
            }
        }
        switch normalized {
        case .failure(let rejection):
            return fail("\(quoted) is not a valid name: \(rejection.explanation)")
        case .success(let host):
            entry.kind = host.kind
            if host.kind == .name, !entry.name.contains(UInt8(ascii: ".")) {
                return fail("\(quoted) is a single label: it would match a whole top-level domain")
            }
        }

        for token in tokens.dropFirst() {
            let text = String(decoding: line[token], as: UTF8.self)
            guard let eq = text.firstIndex(of: "=") else {
                return fail("unexpected '\(text)' after the name: metadata is key=value (risk=, tags=)")
            }
            let key = text[..<eq]
            let value = text[text.index(after: eq)...]
            switch key {
            case "risk":
                guard let risk = Int(value), (0...100).contains(risk) else {
                    return fail("risk must be a whole number from 0 to 100, not '\(value)'")
                }
                entry.risk = risk
            case "tags":
                let tags = value.split(separator: ",").map(String.init)
                guard !tags.isEmpty, tags.allSatisfy(Self.isValidTag) else {
                    return fail("tags must be a comma-separated list of [A-Za-z0-9_.:-] words, not '\(value)'")
                }
                entry.tags = tags
            default:
                return fail("unknown metadata key '\(key)' (known: risk, tags)")
            }
        }
        return .success(entry)
    }

    /// The authority of `scheme://authority/…`, or `nil` when the token is not a URL.
    static func hostOfURL(_ token: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let separator: [UInt8] = Array("://".utf8)
        guard let range = token.firstRange(of: separator) else { return nil }
        let rest = token[range.upperBound...]
        let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
        return rest[..<(end ?? rest.endIndex)]
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    static func isValidTag(_ tag: String) -> Bool {
        tag.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x3A
                || b == 0x2D
        }
    }
}

/// Reads a whole list file (lists are small next to logs; a 1M-entry list is ~20 MB).
func readWholeFile(_ path: String) throws(WatchlistError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw WatchlistError(file: path, line: 0, reason: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
        throw WatchlistError(file: path, line: 0, reason: "is a directory, not a list file")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw WatchlistError(file: path, line: 0, reason: "read failed: \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}
