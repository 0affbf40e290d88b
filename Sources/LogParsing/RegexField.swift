/// The ``LogEvent`` fields a `parsers/` definition's regex fills, by group name.
///
/// `(?<host>[^ ]+)` fills `host`, and so on. Names starting with `_` are free for the pattern's
/// own use (`(?<_bytes>\d+)`); any other name is an error, so a typo (`hots`) cannot silently
/// leave a field empty.
public enum RegexField: String, Sendable, CaseIterable {
    case time, client, user, host, url, method, status, action, qtype, rcode

    /// `time, client, user, …` for messages.
    public static let list = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Which capturing group fills which field: resolved once from PCRE2's name table when a
/// definition is loaded, so a line costs no name lookup.
public struct RegexFieldGroup: Sendable, Equatable {
    public var field: RegexField
    /// The group's number (1 for the first `(`).
    public var number: Int

    public init(field: RegexField, number: Int) {
        self.field = field
        self.number = number
    }

    /// The field groups of `program`, ordered by group number (so that with a name used twice —
    /// `(?J)` or a `(?|…)` branch reset — the leftmost group that took part wins), and the
    /// group names that are not fields and do not start with `_`.
    public static func resolve(_ program: PCRE2Program) -> (groups: [RegexFieldGroup], unknown: [String]) {
        var groups: [RegexFieldGroup] = []
        var unknown: [String] = []
        for (name, number) in program.namedGroups {
            if let field = RegexField(rawValue: name) {
                groups.append(RegexFieldGroup(field: field, number: number))
            } else if !name.hasPrefix("_"), !unknown.contains(name) {
                unknown.append(name)
            }
        }
        groups.sort { $0.number < $1.number }
        return (groups, unknown)
    }
}
