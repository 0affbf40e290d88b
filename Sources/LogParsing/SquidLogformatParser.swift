/// Squid access logs written with any `logformat`, given the format string of the proxy's
/// `logformat` directive (without the directive and the name):
///
/// ```
/// logformat hostwatch %{%Y-%m-%dT%H:%M:%S}tl.%03tu%{%z}tl client=%>a:%>p user=%un method=%rm host=%>rd port=%>rP hosthdr="%{Host}>h" result=%Ss/%>Hs bytes=%<st server=%<a url="%ru" ua="%{User-Agent}>h"
/// 2026-11-29T03:45:04.827+0000 client=127.0.0.4:35878 user=carol method=CONNECT host=www.evil-brand.com port=443 hosthdr="www.evil-brand.com:443" result=TCP_DENIED/403 bytes=3468 server=- url="www.evil-brand.com:443" ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
/// ```
///
/// The format is compiled once into steps — literal text to match, or a field to capture up to
/// the text that follows it — which each line runs through without allocation. Codes follow
/// Squid's `src/format/Token.cc`: modifiers `"` `'` `[` `#` `/` (quoting), `-` (left-aligned),
/// `0` and a width (`%03tu`, `%6tr`), `.max`, an `{argument}` before (or, old style, after) the
/// code, the `http::` default prefix and the `ssl::`/`tls::`, `icap::`, `adapt::`,
/// `proxy_protocol::` and `transport::` namespaces.
///
/// Roles:
/// - time: a run of adjacent time codes and the literal text between them, read as one
///   ``TimeFormat`` pattern: `%ts` (`%s`), `%tu` (milliseconds, written `%03tu`), `%tS`
///   (`%s.%f`), `%tl` (local; default `%d/%b/%Y:%H:%M:%S %z`) and `%tg` (UTC; same default), each
///   with an optional strftime `{argument}`;
/// - client: `%>a` (else `%>A`); user: the first of `%un`, `%ul`, `%ue` that is not `-`, else
///   `%ui`; method: `%rm`/`%>rm`; url: `%ru`/`%>ru` (else `%rp`/`%>rp`); status: `%>Hs` (also
///   `%Hs`); action: `%Ss`;
/// - host: the first name among the URL's authority, `%{Host}>h`, `%ssl::>sni` and `%>rd`, else
///   the first address (an IP-only URL gives way to the Host header or the SNI).
///
/// Every other code is captured and ignored. A field ends where the format's next literal text
/// begins: at the next space (a space in the format matches one or more, so padded widths such as
/// `%6tr` need nothing special), at the last occurrence of a one-byte separator before that space
/// (`%>a:%>p` with an IPv6 client, `%Ss/%03>Hs`), or at the next occurrence of a longer literal
/// (`" HTTP/`, `" result=`). Lines that do not follow the format are `.malformed`; `error:` URLs
/// and `-` hosts are `.noHost`.
public struct SquidLogformatParser: LogParser {
    public let id = "squid-logformat"

    @usableFromInline
    enum Role: UInt8, Sendable {
        case opaque, time, client, clientName, user, ident, method, url, urlPath, hostHeader, sni, domain, status
        case action
    }

    /// Where a captured field ends.
    @usableFromInline
    enum Stop: Sendable, Equatable {
        /// The end of the line (trailing spaces and `\r` dropped).
        case endOfLine
        /// The next space or tab, after skipping `skip` of them (a time with spaces inside).
        case space(skip: Int)
        /// The last `byte` before the next space (after `skip` spaces), or before the end.
        case lastByte(UInt8, skip: Int)
        /// The first occurrence of the literal `literals[range]`.
        case sequence(Range<Int>)
        /// The last occurrence of `byte` in the line (a quoted field at the end).
        case lastInLine(UInt8)
    }

    @usableFromInline
    struct Step: Sendable {
        /// Literal text to match (`literals[text]`), when `role` is `nil`.
        @usableFromInline var text: Range<Int>
        @usableFromInline var role: Role?
        @usableFromInline var stop: Stop
    }

    @usableFromInline let steps: [Step]
    @usableFromInline let literals: [UInt8]
    @usableFromInline let time: TimeFormat
    @usableFromInline var clock: LineTime

    public init(logformat: String, context: ParserContext) throws(FormatError) {
        let compiled = try Compiler.compile(logformat)
        steps = compiled.steps
        literals = compiled.literals
        time = compiled.time
        var zone = context
        if compiled.timeIsUTC { zone.timeZone = .utc }
        clock = LineTime(context: zone)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        clock.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        var end = line.count
        while end > 0, line[end - 1] == 0x0D || line[end - 1] == 0x20 { end -= 1 }
        var i = 0
        var timeField: Range<Int>?
        var client: Range<Int>?, clientName: Range<Int>?, user: Range<Int>?, ident: Range<Int>?
        var method: Range<Int>?, url: Range<Int>?, urlPath: Range<Int>?, hostHeader: Range<Int>?
        var sni: Range<Int>?, domain: Range<Int>?, status: Range<Int>?, action: Range<Int>?
        var first = true
        for step in steps {
            guard let role = step.role else {
                // Literal text; a space matches one or more spaces or tabs.
                for k in step.text {
                    let b = literals[k]
                    if b == 0x20 {
                        let start = i
                        while i < end, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
                        if i == start { return .malformed }
                    } else {
                        guard i < end, line[i] == b else { return .malformed }
                        i += 1
                    }
                }
                first = false
                continue
            }
            if first {  // a padded first field
                while i < end, line[i] == 0x20 { i += 1 }
                first = false
            }
            guard let stop = Self.fieldEnd(line, from: i, end: end, stop: step.stop, literals: literals) else {
                return .malformed
            }
            let field = i..<stop
            i = stop
            let value: Range<Int>? = field.isEmpty || line.isDash(field) ? nil : field
            switch role {
            case .opaque: break
            case .time: timeField = field
            case .client: client = value
            case .clientName: clientName = value
            case .user: if user == nil { user = value }
            case .ident: ident = value
            case .method: method = value
            case .url: url = value
            case .urlPath: urlPath = value
            case .hostHeader: hostHeader = value
            case .sni: sni = value
            case .domain: domain = value
            case .status: status = value
            case .action: action = value
            }
        }
        guard i == end else { return .malformed }
        guard let timeField else { return .malformed }
        switch time.read(line, timeField, clock: &clock) {
        case .millis(let t): event.timeMillis = t
        case .invalid, .notATime: return .badTime
        }
        event.kind = .proxy
        if let address = client ?? clientName { event.client = address }
        event.user = user ?? ident
        event.method = method
        event.url = url ?? urlPath
        event.status = status
        event.action = action

        var address: Range<Int>?
        for source in 0..<4 {
            let candidate: Range<Int>?
            switch source {
            case 0: candidate = url.flatMap { URLAuthority.authority(in: line, url: $0) }
            case 1: candidate = hostHeader
            case 2: candidate = sni
            default: candidate = domain
            }
            guard let candidate else { continue }
            if !URLAuthority.isIPLiteral(in: line, authority: candidate) && !Self.isEncodedIPv6(line, candidate) {
                event.host = candidate
                return nil
            }
            if address == nil { address = candidate }
        }
        guard let address else { return .noHost }
        event.host = address
        return nil
    }

    /// `%>rd` percent-encodes the brackets of an IPv6 address (`%5B::1%5D`).
    @inlinable
    static func isEncodedIPv6(_ line: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        r.count > 3 && line[r.lowerBound] == UInt8(ascii: "%") && line[r.lowerBound + 1] == UInt8(ascii: "5")
            && line[r.lowerBound + 2] | 0x20 == UInt8(ascii: "b")
    }

    /// Where the field starting at `start` ends, by its stop rule; `nil` when the line lacks it.
    @inlinable
    static func fieldEnd(
        _ line: UnsafeRawBufferPointer, from start: Int, end: Int, stop: Stop, literals: [UInt8]
    ) -> Int? {
        switch stop {
        case .endOfLine:
            return end
        case .space(let skip):
            return spaceAfter(line, from: start, end: end, skip: skip)
        case .lastByte(let byte, let skip):
            let limit = spaceAfter(line, from: start, end: end, skip: skip)
            var j = limit
            while j > start {
                j -= 1
                if line[j] == byte { return j }
            }
            return nil
        case .sequence(let text):
            guard let firstByte = text.first.map({ literals[$0] }) else { return nil }
            var j = start
            while j + text.count <= end {
                if line[j] == firstByte {
                    var k = 1
                    while k < text.count, line[j + k] == literals[text.lowerBound + k] { k += 1 }
                    if k == text.count { return j }
                }
                j += 1
            }
            return nil
        case .lastInLine(let byte):
            var j = end
            while j > start {
                j -= 1
                if line[j] == byte { return j }
            }
            return nil
        }
    }

    /// The index of the next space or tab at or after `start` once `skip` of them are passed
    /// (runs count once), or `end`.
    @inlinable
    static func spaceAfter(_ line: UnsafeRawBufferPointer, from start: Int, end: Int, skip: Int) -> Int {
        var j = start
        var skipped = 0
        while j < end {
            if line[j] == 0x20 || line[j] == 0x09 {
                if skipped == skip { return j }
                skipped += 1
                while j < end, line[j] == 0x20 || line[j] == 0x09 { j += 1 }
                continue
            }
            j += 1
        }
        return end
    }
}

extension SquidLogformatParser {
    /// Turns a `logformat` string into steps.
    enum Compiler {
        struct Compiled {
            var steps: [Step]
            var literals: [UInt8]
            var time: TimeFormat
            var timeIsUTC: Bool
        }

        /// One parsed `%` code.
        struct Code {
            var name: String
            var argument: String?
            var column: Int
            var zeroPadded: Bool
            var width: Int?
        }

        /// A piece of the format: literal text, or codes (one field; several for a time run).
        enum Piece {
            case literal([UInt8])
            case field(Role, [Code], pattern: String?, utc: Bool)
        }

        static func compile(_ format: String) throws(FormatError) -> Compiled {
            let bytes = Array(format.utf8)
            var pieces: [Piece] = []
            var i = 0
            var text: [UInt8] = []
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: "%") else {
                    text.append(bytes[i])
                    i += 1
                    continue
                }
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "%") {
                    text.append(UInt8(ascii: "%"))
                    i += 2
                    continue
                }
                let code = try parseCode(bytes, &i, format: format)
                if !text.isEmpty {
                    pieces.append(.literal(text))
                    text = []
                }
                pieces.append(.field(role(of: code), [code], pattern: nil, utc: false))
            }
            if !text.isEmpty { pieces.append(.literal(text)) }
            pieces = try joinTimeRuns(pieces, format: format)
            return try build(pieces, format: format)
        }

        /// Reads one `%[quote][-][0][width][.max][{arg}]code[{arg}]` at `i` (on the `%`).
        static func parseCode(_ b: [UInt8], _ i: inout Int, format: String) throws(FormatError) -> Code {
            let column = i + 1
            var j = i + 1
            func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }
            if [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "["), UInt8(ascii: "#"), UInt8(ascii: "/")]
                .contains(at(j))
            {
                j += 1
            }
            if at(j) == UInt8(ascii: "-") { j += 1 }
            var zero = false
            if at(j) == UInt8(ascii: "0") {
                zero = true
                j += 1
            }
            var width: Int?
            while at(j) &- 0x30 < 10 {
                width = (width ?? 0) * 10 + Int(at(j) - 0x30)
                j += 1
            }
            if at(j) == UInt8(ascii: "."), at(j + 1) &- 0x30 < 10 {
                j += 1
                while at(j) &- 0x30 < 10 { j += 1 }
            }
            var argument: String?
            if at(j) == UInt8(ascii: "{") {
                guard let close = b[j...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw FormatError("logformat: unclosed { at column \(j + 1)")
                }
                argument = String(decoding: b[(j + 1)..<close], as: UTF8.self)
                j = close + 1
            }
            let rest = String(decoding: b[min(j, b.count)...], as: UTF8.self)
            var name: String?
            var scan = Substring(rest)
            if scan.hasPrefix("http::") { scan = scan.dropFirst(6) }
            for namespace in ["ssl::", "tls::", "icap::", "adapt::", "proxy_protocol::", "transport::"]
            where scan.hasPrefix(namespace) {
                // Namespaced codes: an optional direction and a word.
                var k = scan.index(scan.startIndex, offsetBy: namespace.count)
                if k < scan.endIndex, scan[k] == ">" || scan[k] == "<" { k = scan.index(after: k) }
                let wordStart = k
                while k < scan.endIndex, scan[k].isLetter || scan[k] == "_" { k = scan.index(after: k) }
                if k > wordStart { name = String(scan[scan.startIndex..<k]) }
                break
            }
            if name == nil {
                name = tokens.first { scan.hasPrefix($0) }
            }
            guard let name else {
                throw FormatError("logformat: unknown code at column \(column) of '\(format)'")
            }
            j += (rest.utf8.count - scan.utf8.count) + name.utf8.count
            if argument == nil, at(j) == UInt8(ascii: "{") {  // old style: code{arg}
                guard let close = b[j...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw FormatError("logformat: unclosed { at column \(j + 1)")
                }
                argument = String(decoding: b[(j + 1)..<close], as: UTF8.self)
                j = close + 1
            }
            i = j
            return Code(name: name, argument: argument, column: column, zeroPadded: zero, width: width)
        }

        /// Squid's codes, longest first within a shared prefix (as Token.cc scans them).
        static let tokens: [String] = [
            // Misc (longer than two letters).
            ">eui", ">qos", "<qos", ">nfmark", "<nfmark", ">handshake", "err_code", "err_detail", "note",
            "credentials", "busy_time", "master_xaction", "<last_h", "ACL", "DATA", "DST", "EXT_LOG",
            "EXT_TAG", "EXT_USER", "IDENT", "LOGIN", "METHOD", "MYADDR", "MYPORT", "PATH", "PORT", "PROTO",
            "SRCEUI48", "SRCEUI64", "SRCPORT", "SRC", "TAG", "URI",
            // Two letters (with a direction).
            ">la", "la", ">lp", "lp", "<la", "oa", "<lp", "ts", "tu", "tl", "tg", "tS", "tr", "<pt", "<tt", "dt",
            ">ha", "un", "ul", "ui", "ue", "ub", "us", "Hs", ">Hs", "<Hs", "<bs", "Ss", "Sh", "mt", ">rm", ">ru",
            ">rs", ">rd", ">rP", ">rp", ">rv", "rm", "ru", "rp", "rv", "rG", "<rm", "<ru", "<rs", "<rd", "<rP",
            "<rp", "<rv", ">st", ">sh", "<st", "<sH", "<sS", "<sh", "st", "et", "ea", "sn",
            // One letter (with a direction).
            ">a", ">p", ">A", "<a", "<p", "<A", ">h", "<h", ">v",
        ]

        static func role(of code: Code) -> Role {
            switch code.name {
            case "ts", "tu", "tl", "tg", "tS": .time
            case ">a", "SRC": .client
            case ">A": .clientName
            case "un", "ul", "ue", "LOGIN", "EXT_USER": .user
            case "ui", "IDENT": .ident
            case "rm", ">rm", "METHOD": .method
            case "ru", ">ru", "URI": .url
            case "rp", ">rp", "PATH": .urlPath
            case ">h", ">ha": code.argument?.lowercased() == "host" ? .hostHeader : .opaque
            case "ssl::>sni", "tls::>sni": .sni
            case ">rd", "DST": .domain
            case ">Hs", "Hs": .status
            case "Ss": .action
            default: .opaque
            }
        }

        /// Joins each run of time codes and the literal text between them (without spaces) into
        /// one time field with its ``TimeFormat`` pattern; only the first complete run keeps the
        /// time role.
        static func joinTimeRuns(_ pieces: [Piece], format: String) throws(FormatError) -> [Piece] {
            var out: [Piece] = []
            var haveTime = false
            var k = 0
            while k < pieces.count {
                guard case .field(.time, let codes, _, _) = pieces[k] else {
                    out.append(pieces[k])
                    k += 1
                    continue
                }
                var runCodes = codes
                var pattern = ""
                var utc = false
                var hasWhole = false
                func add(_ code: Code) {
                    switch code.name {
                    case "ts":
                        pattern += "%s"
                        hasWhole = true
                    case "tS":
                        pattern += "%s.%f"
                        hasWhole = true
                    case "tu": pattern += "%f"
                    default:  // tl, tg
                        pattern += code.argument ?? "%d/%b/%Y:%H:%M:%S %z"
                        if code.name == "tg" { utc = true }
                        hasWhole = true
                    }
                }
                add(codes[0])
                var next = k + 1
                // Another time code, directly or after literal text without spaces, continues the run.
                while next < pieces.count {
                    if case .field(.time, let more, _, _) = pieces[next] {
                        add(more[0])
                        runCodes += more
                        next += 1
                    } else if next + 1 < pieces.count, case .literal(let text) = pieces[next],
                        !text.contains(0x20), !text.contains(0x09),
                        case .field(.time, let more, _, _) = pieces[next + 1]
                    {
                        pattern += String(
                            decoding: text.flatMap { $0 == UInt8(ascii: "%") ? [$0, $0] : [$0] }, as: UTF8.self)
                        add(more[0])
                        runCodes += more
                        next += 2
                    } else {
                        break
                    }
                }
                if hasWhole, !haveTime {
                    haveTime = true
                    out.append(.field(.time, runCodes, pattern: pattern, utc: utc))
                } else {
                    out.append(.field(.opaque, runCodes, pattern: nil, utc: false))
                }
                k = next
            }
            return out
        }

        static func build(_ pieces: [Piece], format: String) throws(FormatError) -> Compiled {
            var steps: [Step] = []
            var literals: [UInt8] = []
            var time: TimeFormat?
            var timeIsUTC = false
            var inQuotes = false
            var hasURLOrHost = false
            for (k, piece) in pieces.enumerated() {
                switch piece {
                case .literal(let text):
                    let start = literals.count
                    literals += text
                    steps.append(Step(text: start..<literals.count, role: nil, stop: .endOfLine))
                    for b in text where b == UInt8(ascii: "\"") { inQuotes.toggle() }
                case .field(let role, let codes, let pattern, let utc):
                    var internalSpaces = 0
                    if role == .time, let pattern {
                        do {
                            time = try TimeFormat(pattern)
                        } catch {
                            throw FormatError(
                                "logformat: time at column \(codes[0].column): \(error.message)")
                        }
                        timeIsUTC = utc
                        internalSpaces = pattern.utf8.filter { $0 == 0x20 || $0 == 0x09 }.count
                    }
                    if [.url, .urlPath, .hostHeader, .sni, .domain].contains(role) { hasURLOrHost = true }
                    let stop: Stop
                    if k + 1 == pieces.count {
                        stop = .endOfLine
                    } else if case .literal(let next) = pieces[k + 1] {
                        if next[0] == 0x20 || next[0] == 0x09 {
                            stop = .space(skip: internalSpaces)
                        } else if next.count == 1 {
                            stop = inQuotes && next[0] == UInt8(ascii: "\"") && k + 2 == pieces.count
                                ? .lastInLine(next[0]) : .lastByte(next[0], skip: internalSpaces)
                        } else {
                            // The literal's bytes are appended next; point at them.
                            stop = .sequence(literals.count..<(literals.count + next.count))
                        }
                    } else {
                        let column = codes.last!.column
                        throw FormatError("logformat: the field at column \(column) has no separator before the next one")
                    }
                    steps.append(Step(text: 0..<0, role: role, stop: stop))
                }
            }
            guard let time else {
                throw FormatError("logformat: no time code (%ts, %tl, %tg or %tS) in '\(format)'")
            }
            guard hasURLOrHost else {
                throw FormatError(
                    "logformat: no URL or host code (%ru, %>ru, %>rd, %{Host}>h or %ssl::>sni) in '\(format)'")
            }
            return Compiled(steps: steps, literals: literals, time: time, timeIsUTC: timeIsUTC)
        }
    }
}
