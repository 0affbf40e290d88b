/// A user-defined format from `parsers/*.toml`: a PCRE2 regex whose named groups give the fields.
///
/// ```toml
/// kind = "proxy"
/// regex = '^(?<time>\d+\.\d+) +\d+ (?<client>\S+) (?<action>[^/ ]+)/(?<status>\d+) \d+ (?<method>\S+) (?<url>\S+) (?<user>\S+) '
/// time_format = "epoch"
/// ```
///
/// Per line: one match of the definition's compiled pattern (shared by every instance, JIT
/// compiled where possible) into this instance's own match data, then the groups' ranges go
/// into the ``LogEvent`` as they are; no copy, no allocation.
///
/// - A line the regex does not match is `.malformed`, unless the definition's `skip` pattern
///   matches it: then it is `.notAVisit` (the reply and forward lines of a DNS log).
/// - A match that hits a limit (``PCRE2Limits``) is `.matchLimit`.
/// - `time` is read with the definition's ``TimeFormat``; a missing or unreadable time is
///   `.badTime`.
/// - `user` that is empty or `-` is `nil`; other optional groups that did not take part or
///   matched nothing are `nil`.
/// - The host is the `host` group, else the authority of the `url` group
///   (``URLAuthority/authority(in:url:)``). When both are there and the `host` group is an IP
///   address while the URL names a host, the URL's name wins: a name says more about the visit
///   than the address it resolved to. A `host` of `-` counts as absent. No host: `.noHost`.
public struct PCRE2Parser: LogParser {
    public let id: String
    public let kind: LogEvent.Kind
    @usableFromInline let program: PCRE2Program
    @usableFromInline let skipProgram: PCRE2Program?
    @usableFromInline let groups: ContiguousArray<RegexFieldGroup>
    @usableFromInline let timeFormat: TimeFormat
    @usableFromInline var clock: LineTime
    @usableFromInline let matcher: PCRE2Matcher

    /// A parser for one input. Times without a zone are read in the definition's `timezone`,
    /// or else in the context's zone (the source's `time_zone`, local by default).
    public init(definition: ParserDefinition, context: ParserContext) {
        id = definition.id
        kind = definition.kind
        program = definition.regex
        skipProgram = definition.skip
        groups = ContiguousArray(definition.fieldGroups)
        timeFormat = definition.timeFormat
        var context = context
        if let zone = definition.timeZone { context.timeZone = zone }
        clock = LineTime(context: context)
        matcher = PCRE2Matcher(program: definition.regex, skip: definition.skip, limits: definition.limits)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        clock.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        let pairs: Int
        switch matcher.match(program, line) {
        case .matched(let count):
            pairs = count
        case .limit:
            return .matchLimit
        case .noMatch:
            guard let skipProgram else { return .malformed }
            switch matcher.match(skipProgram, line, skip: true) {
            case .matched: return .notAVisit
            case .limit: return .matchLimit
            case .noMatch: return .malformed
            }
        }

        var time: Range<Int>?
        var client: Range<Int>?
        var host: Range<Int>?
        var url: Range<Int>?
        var user: Range<Int>?
        var method: Range<Int>?
        var status: Range<Int>?
        var action: Range<Int>?
        var qtype: Range<Int>?
        var rcode: Range<Int>?
        for group in groups {
            // Empty matches count as absent, so a later group of the same name may still fill it.
            guard let r = matcher.range(ofGroup: group.number, pairs: pairs, lineCount: line.count), !r.isEmpty
            else { continue }
            switch group.field {
            case .time: if time == nil { time = r }
            case .client: if client == nil { client = r }
            case .host: if host == nil, !line.isDash(r) { host = r }
            case .url: if url == nil { url = r }
            case .user: if user == nil, !line.isDash(r) { user = r }
            case .method: if method == nil { method = r }
            case .status: if status == nil { status = r }
            case .action: if action == nil { action = r }
            case .qtype: if qtype == nil { qtype = r }
            case .rcode: if rcode == nil { rcode = r }
            }
        }

        event.kind = kind
        event.client = client ?? 0..<0
        event.user = user
        event.method = method
        event.url = url
        event.status = status
        event.action = action
        event.qtype = qtype
        event.rcode = rcode
        event.text = nil

        guard let time, case .millis(let millis) = timeFormat.read(line, time, clock: &clock) else { return .badTime }
        event.timeMillis = millis

        let authority = url.flatMap { URLAuthority.authority(in: line, url: $0) }
        if let named = host {
            if let authority, URLAuthority.isIPLiteral(in: line, authority: named),
                !URLAuthority.isIPLiteral(in: line, authority: authority)
            {
                event.host = authority
            } else {
                event.host = named
            }
        } else if let authority {
            event.host = authority
        } else {
            event.host = 0..<0
            return .noHost
        }
        return nil
    }
}
