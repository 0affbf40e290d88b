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
/// kit.example action=block expires=2027-01-31  # block it (block files); drop it from that day
/// lure.example list=phish                  ← reported as list "phish", not the file's name
/// ```
///
/// `action=block` puts the entry into block files (`alert`, the default when no block
/// threshold applies, only reports visits); `expires=` takes a UTC date (`2027-01-31`, the entry
/// is gone from 00:00 UTC that day) or a moment (`2027-01-31T12:00:00Z`). `list=` names the
/// entry's list in hits when one file holds entries of several lists (the HTTP API's file does).
///
/// Blank lines are ignored. A name must be valid after normalization (see ``HostNormalizer``),
/// and a watched name needs at least two labels: a bare `com` would flag a whole TLD.
public struct PlainListParser {
    /// One entry as read from a line; `name` (canonical form) is valid only during the callback.
    public struct Entry {
        public var name: UnsafeRawBufferPointer
        public var kind: HostKind
        public var scope: MatchScope
        public var tags: [String]
        public var risk: Int?
        public var action: EntryAction
        /// Unix seconds from which the entry no longer applies.
        public var expires: Int64?
        /// `list=`: the list hits report instead of the file's name.
        public var list: String?
    }

    let file: String

    public init(file: String) {
        self.file = file
    }

    /// Calls `body` for each entry or error in line order; `body` returns `false` to stop.
    ///
    /// Runs on bytes with one scratch buffer for the whole file: a 1M-line list loads in well
    /// under a second.
    public func forEachEntry(
        in text: UnsafeRawBufferPointer,
        _ body: (Result<Entry, WatchlistError>) -> Bool
    ) {
        withUnsafeTemporaryAllocation(byteCount: HostNormalizer.outputCapacity, alignment: 8) { scratch in
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
                if let result = parseLine(line, number: lineNumber, scratch: scratch), !body(result) { return }
            }
        }
    }

    /// `nil` for blank and comment lines.
    func parseLine(
        _ line: UnsafeRawBufferPointer, number: Int, scratch: UnsafeMutableRawBufferPointer
    ) -> Result<Entry, WatchlistError>? {
        var end = 0
        while end < line.count, line[end] != UInt8(ascii: "#") { end += 1 }
        var tokenStart = 0
        while tokenStart < end, Self.isSpace(line[tokenStart]) { tokenStart += 1 }
        if tokenStart == end { return nil }
        var tokenEnd = tokenStart
        while tokenEnd < end, !Self.isSpace(line[tokenEnd]) { tokenEnd += 1 }

        func fail(_ reason: String) -> Result<Entry, WatchlistError> {
            .failure(WatchlistError(file: file, line: number, reason: reason))
        }
        var quoted: String { "'\(String(decoding: line[tokenStart..<tokenEnd], as: UTF8.self))'" }

        var a = tokenStart
        var b = tokenEnd
        var scope = MatchScope.domainAndSubdomains
        if line[a] == UInt8(ascii: "=") {
            scope = .exact
            a += 1
        } else if line[a] == UInt8(ascii: "*"), a + 1 < b, line[a + 1] == UInt8(ascii: ".") {
            a += 2
        } else if line[a] == UInt8(ascii: ".") {
            a += 1
        }
        if let authority = Self.authorityOfURL(line, a..<b) {
            (a, b) = (authority.lowerBound, authority.upperBound)
        } else if Self.contains(line, a..<b, UInt8(ascii: "/")) {
            return fail("\(quoted) has a '/' but no scheme: give a host name, or a whole URL with its scheme")
        }
        if Self.contains(line, a..<b, UInt8(ascii: "*")) {
            return fail("\(quoted): '*' is only allowed as a leading '*.' (which means the domain itself)")
        }

        var entry = Entry(
            name: UnsafeRawBufferPointer(start: nil, count: 0), kind: .name, scope: scope, tags: [], risk: nil,
            action: .unspecified, expires: nil, list: nil)
        switch HostNormalizer.normalize(UnsafeRawBufferPointer(rebasing: line[a..<b]), into: scratch) {
        case .failure(let rejection):
            return fail("\(quoted) is not a valid name: \(rejection.explanation)")
        case .success(let host):
            entry.kind = host.kind
            entry.name = UnsafeRawBufferPointer(rebasing: scratch[0..<host.count])
            if host.kind == .name, !Self.contains(entry.name, 0..<entry.name.count, UInt8(ascii: ".")) {
                return fail("\(quoted) is a single label: it would match a whole top-level domain")
            }
        }

        // Optional key=value metadata: rare, so Strings are fine here.
        var restStart = tokenEnd
        while restStart < end, Self.isSpace(line[restStart]) { restStart += 1 }
        if restStart == end { return .success(entry) }
        let rest = String(decoding: line[restStart..<end], as: UTF8.self)
        for token in rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            guard let eq = token.firstIndex(of: "=") else {
                return fail("unexpected '\(token)' after the name: metadata is key=value (risk=, tags=, action=, expires=, list=)")
            }
            let key = token[..<eq]
            let value = token[token.index(after: eq)...]
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
            case "action":
                guard let action = EntryAction(rawValue: String(value)), action != .unspecified else {
                    return fail("action must be 'block' or 'alert', not '\(value)'")
                }
                entry.action = action
            case "expires":
                guard let moment = Self.parseExpiry(value) else {
                    return fail("expires must be a UTC date (2027-01-31) or moment (2027-01-31T12:00:00Z), not '\(value)'")
                }
                entry.expires = moment
            case "list":
                guard !value.isEmpty, value.utf8.count <= Self.maxListNameBytes, Self.isValidTag(String(value)) else {
                    return fail("list must be one word of [A-Za-z0-9_.:-], at most \(Self.maxListNameBytes) bytes, not '\(value)'")
                }
                entry.list = String(value)
            default:
                return fail("unknown metadata key '\(key)' (known: risk, tags, action, expires, list)")
            }
        }
        return .success(entry)
    }

    /// The authority of `scheme://authority/…` inside `token`, or `nil` when it is not a URL.
    static func authorityOfURL(_ line: UnsafeRawBufferPointer, _ token: Range<Int>) -> Range<Int>? {
        var i = token.lowerBound
        while i + 2 < token.upperBound {
            if line[i] == UInt8(ascii: ":"), line[i + 1] == UInt8(ascii: "/"), line[i + 2] == UInt8(ascii: "/") {
                let start = i + 3
                var end = start
                while end < token.upperBound, line[end] != UInt8(ascii: "/"), line[end] != UInt8(ascii: "?") {
                    end += 1
                }
                return start..<end
            }
            i += 1
        }
        return nil
    }

    /// `bytes[range].contains(byte)` without the generic slice machinery (a 1M-line list calls
    /// it three million times).
    static func contains(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ byte: UInt8) -> Bool {
        for i in range where bytes[i] == byte { return true }
        return false
    }

    /// A list name is a label in metrics and SIEM searches: short and plain.
    public static let maxListNameBytes = 64

    /// `2027-01-31` (00:00 UTC that day) or `2027-01-31T12:00:00Z`, as Unix seconds.
    public static func parseExpiry(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for i in range {
                guard bytes[i] >= 0x30, bytes[i] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
            }
            return value
        }
        guard bytes.count == 10 || bytes.count == 20, let year = number(0..<4), bytes[4] == 0x2D,
            let month = number(5..<7), bytes[7] == 0x2D, let day = number(8..<10),
            (1970...9999).contains(year), (1...12).contains(month),
            (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var seconds = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if bytes.count == 20 {
            guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), let hour = number(11..<13),
                bytes[13] == 0x3A, let minute = number(14..<16), bytes[16] == 0x3A, let second = number(17..<19),
                bytes[19] == UInt8(ascii: "Z") || bytes[19] == UInt8(ascii: "z"), hour < 24, minute < 60, second < 60
            else { return nil }
            seconds += Int64(hour * 3600 + minute * 60 + second)
        }
        return seconds
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// Whether `tag` is one tag word (`[A-Za-z0-9_.:-]`, not empty).
    public static func isValidTag(_ tag: String) -> Bool {
        guard !tag.isEmpty else { return false }
        return tag.utf8.allSatisfy { b in
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
