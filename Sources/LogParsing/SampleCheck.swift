/// Runs a definition's `[[sample]]`s and says, field by field, where the result differs.
///
/// Each sample goes through a fresh ``PCRE2Parser``, so samples cannot influence each other.
/// Two things are pinned so that a sample passes on any machine, in any year:
/// - times without a zone are read as UTC when the definition says `local` or nothing (a
///   definition with a fixed `timezone` keeps it);
/// - year-less times are placed against the sample's own expected time.
public enum SampleCheck {
    /// The outcome of every sample of `definition`, in file order.
    public static func run(_ definition: ParserDefinition) -> [SampleResult] {
        var pinned = definition
        if pinned.timeZone == nil || pinned.timeZone == .local { pinned.timeZone = .utc }
        return definition.samples.map { check($0, pinned) }
    }

    /// Runs one sample.
    public static func check(_ sample: ParserSample, _ definition: ParserDefinition) -> SampleResult {
        var reference: Int64 = 1_795_953_600_000  // 2026-11-29T12:00:00Z, for skip samples
        if case .visit(let fields) = sample.expected { reference = fields.timeMillis }
        var parser = PCRE2Parser(
            definition: definition, context: ParserContext(referenceTimeMillis: reference, timeZone: .utc))
        var bytes = Array(sample.line.utf8)
        let mismatches: [String] = bytes.withUnsafeMutableBytes { raw in
            let line = UnsafeRawBufferPointer(raw)
            var event = LogEvent()
            let skip = parser.parse(line, into: &event)
            let text = event.bytes(line)
            func field(_ r: Range<Int>?) -> String? {
                guard let r, r.lowerBound >= 0, r.upperBound <= text.count else { return nil }
                return String(decoding: text[r], as: UTF8.self)
            }
            switch (sample.expected, skip) {
            case (.skip(let expected), let got?):
                return expected == got ? [] : ["expected skip \(expected.rawValue), got skip \(got.rawValue)"]
            case (.skip(let expected), nil):
                return ["expected skip \(expected.rawValue), got a visit (host \(quoted(field(event.host))))"]
            case (.visit, let got?):
                return ["expected a visit, got skip \(got.rawValue)"]
            case (.visit(let want), nil):
                var diffs: [String] = []
                func compare(_ name: String, _ expected: String?, _ got: String?) {
                    if expected != got { diffs.append("\(name): expected \(quoted(expected)), got \(quoted(got))") }
                }
                let kind = want.kind ?? definition.kind
                if kind != event.kind { diffs.append("kind: expected \(kind.name), got \(event.kind.name)") }
                if want.timeMillis != event.timeMillis {
                    diffs.append("time: expected \(formatTime(want.timeMillis)), got \(formatTime(event.timeMillis))")
                }
                compare("host", want.host, field(event.host))
                compare("client", want.client, field(event.client))
                compare("user", want.user, field(event.user))
                compare("method", want.method, field(event.method))
                compare("url", want.url, field(event.url))
                compare("status", want.status, field(event.status))
                compare("action", want.action, field(event.action))
                compare("qtype", want.qtype, field(event.qtype))
                compare("rcode", want.rcode, field(event.rcode))
                return diffs
            }
        }
        return SampleResult(
            file: definition.file, line: sample.sourceLine, parser: definition.id, sampleLine: sample.line,
            mismatches: mismatches)
    }

    /// `"text"`, or `none` for an absent field.
    static func quoted(_ text: String?) -> String {
        guard let text else { return "none" }
        return "\"\(text)\""
    }

    /// RFC 3339 (`2026-11-29T03:45:04.123Z`, or with an offset) to UTC milliseconds; `nil` unless
    /// the whole text is such a time. A time without a zone is taken as UTC.
    public static func parseTime(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw in
            let line = UnsafeRawBufferPointer(raw)
            var clock = LineTime(context: ParserContext(referenceTimeMillis: 0, timeZone: .utc))
            var cursor = FieldCursor(line)
            guard case .millis(let millis) = clock.iso8601(&cursor), cursor.position == line.count else { return nil }
            return millis
        }
    }

    /// UTC milliseconds as RFC 3339 with milliseconds: `2026-11-29T03:45:04.123Z`.
    public static func formatTime(_ millis: Int64) -> String {
        let day = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let (year, month, dayOfMonth) = LogTime.civil(fromDays: Int(day))
        let inDay = Int(millis - day * 86_400_000)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T\(pad(inDay / 3_600_000, 2)):"
            + "\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }
}

/// What became of one `[[sample]]`.
public struct SampleResult: Sendable, Equatable, CustomStringConvertible {
    /// The definition's file and the line of the sample's `[[sample]]` header.
    public var file: String
    public var line: Int
    /// The definition's id.
    public var parser: String
    public var sampleLine: String
    /// One entry per difference: `host: expected "login.evil-brand.com", got "evil-brand.com"`,
    /// `expected a visit, got skip malformed`. Empty when the sample passed.
    public var mismatches: [String]

    public init(file: String, line: Int, parser: String, sampleLine: String, mismatches: [String]) {
        self.file = file
        self.line = line
        self.parser = parser
        self.sampleLine = sampleLine
        self.mismatches = mismatches
    }

    public var passed: Bool { mismatches.isEmpty }

    /// `parsers/x.toml:42: ok`, or the failing line and one indented line per difference:
    ///
    /// ```
    /// parsers/x.toml:42: sample does not match
    ///     line: 10.0.0.5 - - [29/Nov/2026:03:45:04 +0000] "GET http://login.evil-brand.com/ HTTP/1.1" …
    ///     host: expected "login.evil-brand.com", got "evil-brand.com"
    /// ```
    public var description: String {
        if passed { return "\(file):\(line): ok" }
        return "\(file):\(line): sample does not match\n    line: \(sampleLine)"
            + mismatches.map { "\n    \($0)" }.joined()
    }
}
