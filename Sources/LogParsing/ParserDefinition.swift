#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TOML

/// One user-defined log format, read from a `parsers/*.toml` file: a PCRE2 regex with named
/// groups for the fields, how to read its time, and sample lines with the fields they must give.
///
/// ```toml
/// description = "Squid's common logformat"
/// kind = "proxy"
/// regex = '^(?<client>\S+) \S+ (?<user>\S+) \[(?<time>[^\]]+)\] "(?<method>\S+) (?<url>\S+) [^"]*" (?<status>\d+) '
/// time_format = "%d/%b/%Y:%H:%M:%S %z"
///
/// [[sample]]
/// line = '10.0.0.5 - alice [29/Nov/2026:03:45:04 +0000] "GET http://login.evil-brand.com/ HTTP/1.1" 200 512 TCP_MISS:HIER_DIRECT'
/// time = "2026-11-29T03:45:04.000Z"
/// host = "login.evil-brand.com"
/// …
/// ```
///
/// Every key is described in `parsers/README.md`. Loading checks everything it can up front
/// (the regex compiles, its groups are fields, the required ones are there, the time format is
/// valid, the samples are well-formed) and reports each problem with its `file:line`; running
/// the samples is ``SampleCheck``'s job.
public struct ParserDefinition: Sendable {
    /// The format's id, as a source's `format = "…"` names it: the `id` key, else the file name
    /// without `.toml`.
    public var id: String
    public var description: String
    public var kind: LogEvent.Kind
    /// The compiled `regex`.
    public var regex: PCRE2Program
    /// Which group fills which field.
    public var fieldGroups: [RegexFieldGroup]
    /// The compiled `skip` pattern: lines the regex does not match but this does are not visits.
    public var skip: PCRE2Program?
    public var timeFormat: TimeFormat
    /// The zone of times without one; `nil`: the source's `time_zone` (local by default).
    public var timeZone: LogTimeZone?
    public var limits: PCRE2Limits
    public var samples: [ParserSample]
    /// The file it was read from, as given (for messages).
    public var file: String
    /// The line of the `id` key (1 when the id is the file name's), for a duplicate id.
    var idLine = 1

    /// A definition built in code rather than read from a file (tests, tools).
    ///
    /// - Throws: ``FormatError`` for the first problem, worded as in a file's problems.
    public init(
        id: String, description: String = "", kind: LogEvent.Kind, regex: String, skip: String? = nil,
        timeFormat: String, timeZone: LogTimeZone? = nil, limits: PCRE2Limits = .defaults,
        samples: [ParserSample] = [], file: String = "(built in code)"
    ) throws(FormatError) {
        let checked = Self.checkRegex(regex)
        guard let program = checked.program, checked.problems.isEmpty else {
            throw FormatError(checked.problems.first?.message ?? "regex does not compile")
        }
        var skipProgram: PCRE2Program?
        if let skip {
            do {
                skipProgram = try PCRE2Program(pattern: skip)
            } catch {
                throw FormatError("skip does not compile: \(error)")
            }
        }
        self.id = id
        self.description = description
        self.kind = kind
        self.regex = program
        self.fieldGroups = checked.groups
        self.skip = skipProgram
        self.timeFormat = try TimeFormat(timeFormat)
        self.timeZone = timeZone
        self.limits = limits
        self.samples = samples
        self.file = file
    }

    init(
        id: String, description: String, kind: LogEvent.Kind, regex: PCRE2Program, fieldGroups: [RegexFieldGroup],
        skip: PCRE2Program?, timeFormat: TimeFormat, timeZone: LogTimeZone?, limits: PCRE2Limits,
        samples: [ParserSample], file: String
    ) {
        self.id = id
        self.description = description
        self.kind = kind
        self.regex = regex
        self.fieldGroups = fieldGroups
        self.skip = skip
        self.timeFormat = timeFormat
        self.timeZone = timeZone
        self.limits = limits
        self.samples = samples
        self.file = file
    }
}

/// A `[[sample]]`: a line and what the definition must make of it.
public struct ParserSample: Sendable, Equatable {
    /// What a sample line must give.
    public enum Expectation: Sendable, Equatable {
        /// A visit with exactly these fields.
        case visit(SampleFields)
        /// No visit, for this reason.
        case skip(SkipReason)
    }

    public var line: String
    /// The line of the `[[sample]]` header in the definition's file.
    public var sourceLine: Int
    public var expected: Expectation

    public init(line: String, sourceLine: Int, expected: Expectation) {
        self.line = line
        self.sourceLine = sourceLine
        self.expected = expected
    }
}

/// The fields a visit sample must give. Optional fields it does not list must be absent.
public struct SampleFields: Sendable, Equatable {
    /// `nil`: the definition's kind.
    public var kind: LogEvent.Kind?
    public var timeMillis: Int64
    public var host: String
    public var client: String
    public var user: String?
    public var method: String?
    public var url: String?
    public var status: String?
    public var action: String?
    public var qtype: String?
    public var rcode: String?

    public init(
        kind: LogEvent.Kind? = nil, timeMillis: Int64, host: String, client: String, user: String? = nil,
        method: String? = nil, url: String? = nil, status: String? = nil, action: String? = nil,
        qtype: String? = nil, rcode: String? = nil
    ) {
        self.kind = kind
        self.timeMillis = timeMillis
        self.host = host
        self.client = client
        self.user = user
        self.method = method
        self.url = url
        self.status = status
        self.action = action
        self.qtype = qtype
        self.rcode = rcode
    }
}

/// One problem with a parser definition file: where it is and what is wrong.
public struct DefinitionProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem concerns the whole file (it cannot be read).
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `parsers/x.toml:12: message`.
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Every problem found in one definition file (not just the first).
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [DefinitionProblem]

    public init(problems: [DefinitionProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension ParserDefinition {
    /// The keys a definition file may have, in the order `parsers/README.md` explains them.
    public static let keys = [
        "id", "description", "kind", "regex", "skip", "time_format", "timezone", "match_limit", "depth_limit",
        "heap_limit", "sample",
    ]

    /// The keys a `[[sample]]` may have.
    public static let sampleKeys = [
        "line", "skip", "kind", "time", "host", "client", "user", "method", "url", "status", "action", "qtype", "rcode",
    ]

    /// Loads every `*.toml` file of `directory` (in name order; `*.toml.example` and other files
    /// are ignored). A file with problems gives no definition but does not stop the others.
    ///
    /// - Parameter builtinIDs: ids a definition may not take (the built-in formats, `auto`).
    /// - Returns: the definitions that loaded, and every problem of the others (a second file
    ///   with an id already taken is a problem of that file).
    public static func load(
        directory: String, builtinIDs: [String]
    ) -> (definitions: [ParserDefinition], problems: [DefinitionProblem]) {
        let names: [String]
        do {
            names = try DefinitionFiles.tomlFiles(in: directory)
        } catch {
            return ([], [DefinitionProblem(file: directory, line: 0, message: error.message)])
        }
        var definitions: [ParserDefinition] = []
        var problems: [DefinitionProblem] = []
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            do {
                let definition = try load(file: path, builtinIDs: builtinIDs)
                if let first = definitions.first(where: { $0.id == definition.id }) {
                    problems.append(
                        DefinitionProblem(
                            file: path, line: definition.idLine,
                            message: "id '\(definition.id)' is already used by \(first.file)"))
                } else {
                    definitions.append(definition)
                }
            } catch {
                problems.append(contentsOf: error.problems)
            }
        }
        return (definitions, problems)
    }

    /// Loads one definition file.
    public static func load(file path: String, builtinIDs: [String]) throws(DefinitionError) -> ParserDefinition {
        let bytes: [UInt8]
        do {
            bytes = try DefinitionFiles.readAll(path)
        } catch {
            throw DefinitionError(problems: [DefinitionProblem(file: path, line: 0, message: error.message)])
        }
        return try parse(bytes: bytes, file: path, builtinIDs: builtinIDs)
    }

    /// Reads a definition from its text; `file` names it in messages and gives the default id.
    public static func parse(_ text: String, file: String, builtinIDs: [String]) throws(DefinitionError) -> ParserDefinition {
        try parse(bytes: Array(text.utf8), file: file, builtinIDs: builtinIDs)
    }

    /// Reads a definition from the bytes of its file.
    public static func parse(bytes: [UInt8], file: String, builtinIDs: [String]) throws(DefinitionError) -> ParserDefinition {
        let root: TOMLTable
        do {
            root = try TOML.parse(bytes: bytes)
        } catch {
            throw DefinitionError(problems: [DefinitionProblem(file: file, line: error.position.line, message: error.message)])
        }
        var reader = DefinitionReader(file: file, bytes: bytes, builtinIDs: builtinIDs)
        let definition = reader.read(root)
        guard let definition, reader.problems.isEmpty else { throw DefinitionError(problems: reader.problems) }
        return definition
    }

    /// Compiles `pattern` and maps its groups to fields: the problems say what is wrong, each
    /// with the byte offset in the pattern for a compile error.
    static func checkRegex(_ pattern: String) -> (
        program: PCRE2Program?, groups: [RegexFieldGroup], problems: [(message: String, offset: Int?)]
    ) {
        let program: PCRE2Program
        do {
            program = try PCRE2Program(pattern: pattern)
        } catch {
            return (nil, [], [("regex does not compile: \(error)", error.offset)])
        }
        let (groups, unknown) = RegexFieldGroup.resolve(program)
        var problems: [(message: String, offset: Int?)] = []
        for name in unknown {
            problems.append(
                ("regex has a group named '\(name)', which is not a field; fields: \(RegexField.list) (names starting with _ are free)", nil))
        }
        let fields = Set(groups.map(\.field))
        if !fields.contains(.time) { problems.append(("regex needs a (?<time>...) group", nil)) }
        if !fields.contains(.client) { problems.append(("regex needs a (?<client>...) group", nil)) }
        if !fields.contains(.host), !fields.contains(.url) {
            problems.append(("regex needs a (?<host>...) or a (?<url>...) group", nil))
        }
        return (program, groups, problems)
    }
}

/// Reads one definition's tables, collecting every problem instead of stopping at the first.
struct DefinitionReader {
    let file: String
    let bytes: [UInt8]
    let builtinIDs: [String]
    var problems: [DefinitionProblem] = []

    mutating func problem(_ line: Int, _ message: String) {
        problems.append(DefinitionProblem(file: file, line: line, message: message))
    }

    mutating func problem(_ position: TOMLPosition, _ message: String) {
        problem(position.line, message)
    }

    mutating func rejectUnknown(_ table: TOMLTable, known: [String], context: String) {
        for entry in table.entries where !known.contains(entry.key) {
            problem(entry.keyPosition, "unknown key '\(entry.key)'\(context); known keys: \(known.joined(separator: ", "))")
        }
    }

    mutating func string(_ table: TOMLTable, _ key: String, context: String) -> String? {
        guard let node = table[key] else { return nil }
        guard case .string(let value) = node.value else {
            problem(node.position, "\(key)\(context) must be a string, not \(node.typeName)")
            return nil
        }
        return value
    }

    mutating func limit(_ table: TOMLTable, _ key: String, range: ClosedRange<Int64>, default value: UInt32) -> UInt32 {
        guard let node = table[key] else { return value }
        guard case .integer(let number) = node.value else {
            problem(node.position, "\(key) must be an integer, not \(node.typeName)")
            return value
        }
        guard range.contains(number) else {
            problem(node.position, "\(key) must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
            return value
        }
        return UInt32(number)
    }

    mutating func read(_ root: TOMLTable) -> ParserDefinition? {
        rejectUnknown(root, known: ParserDefinition.keys, context: "")

        // id: the key, else the file name without ".toml".
        var id = Self.defaultID(file)
        var idPosition = 1
        if let value = string(root, "id", context: "") {
            id = value
            idPosition = root["id"]!.position.line
        }
        if !Self.isValidID(id) {
            problem(idPosition, "id must be lower-case letters, digits, '-', '_' or '.' (starting with a letter or digit), not \"\(id)\"")
        } else if id == "auto" || builtinIDs.contains(id) {
            problem(idPosition, "id '\(id)' is taken by a built-in format; choose another (set id = \"...\")")
        }

        let description = string(root, "description", context: "") ?? ""

        var kind: LogEvent.Kind?
        if let text = string(root, "kind", context: "") {
            switch text {
            case "proxy": kind = .proxy
            case "dns": kind = .dns
            default: problem(root["kind"]!.position, "kind must be \"proxy\" or \"dns\", not \"\(text)\"")
            }
        } else if root["kind"] == nil {
            problem(root.position, "kind is required: \"proxy\" or \"dns\"")
        }

        var program: PCRE2Program?
        var groups: [RegexFieldGroup] = []
        if let pattern = string(root, "regex", context: "") {
            let node = root["regex"]!
            let checked = ParserDefinition.checkRegex(pattern)
            program = checked.problems.isEmpty ? checked.program : nil
            groups = checked.groups
            for (message, offset) in checked.problems {
                problem(lineOf(offset: offset, in: pattern, node: node), message)
            }
        } else if root["regex"] == nil {
            problem(root.position, "regex is required: a PCRE2 pattern with named groups such as (?<host>...)")
        }

        var skip: PCRE2Program?
        var skipFailed = false
        if let pattern = string(root, "skip", context: "") {
            do {
                skip = try PCRE2Program(pattern: pattern)
            } catch {
                skipFailed = true
                problem(lineOf(offset: error.offset, in: pattern, node: root["skip"]!), "skip does not compile: \(error)")
            }
        }

        var timeFormat: TimeFormat?
        if let spec = string(root, "time_format", context: "") {
            do {
                timeFormat = try TimeFormat(spec)
            } catch {
                problem(root["time_format"]!.position, "time_format: \(error.message)")
            }
        } else if root["time_format"] == nil {
            problem(
                root.position,
                "time_format is required: iso8601, epoch, epoch_millis, epoch_micros or a pattern like \"%d/%b/%Y:%H:%M:%S %z\"")
        }

        var timeZone: LogTimeZone?
        if let text = string(root, "timezone", context: "") {
            if let zone = LogTimeZone.parse(text) { timeZone = zone } else {
                problem(root["timezone"]!.position, "timezone must be local, UTC or an offset like +01:00, not \"\(text)\"")
            }
        }

        let defaults = PCRE2Limits.defaults
        let limits = PCRE2Limits(
            matchLimit: limit(root, "match_limit", range: 1...100_000_000, default: defaults.matchLimit),
            depthLimit: limit(root, "depth_limit", range: 1...10_000_000, default: defaults.depthLimit),
            heapLimitKiB: limit(root, "heap_limit", range: 64...1_048_576, default: defaults.heapLimitKiB))

        var samples: [ParserSample] = []
        for table in sampleTables(root) {
            if let sample = readSample(table) { samples.append(sample) }
        }

        guard problems.isEmpty, !skipFailed, let kind, let program, let timeFormat else { return nil }
        var definition = ParserDefinition(
            id: id, description: description, kind: kind, regex: program, fieldGroups: groups, skip: skip,
            timeFormat: timeFormat, timeZone: timeZone, limits: limits, samples: samples, file: file)
        definition.idLine = idPosition
        return definition
    }

    mutating func sampleTables(_ root: TOMLTable) -> [TOMLTable] {
        guard let node = root["sample"] else { return [] }
        guard case .array(let items) = node.value else {
            problem(node.position, "sample must be written as [[sample]] tables")
            return []
        }
        var tables: [TOMLTable] = []
        for item in items {
            if case .table(let table) = item.value { tables.append(table) } else {
                problem(item.position, "[[sample]] entries must be tables")
            }
        }
        return tables
    }

    mutating func readSample(_ table: TOMLTable) -> ParserSample? {
        let context = " in [[sample]] at line \(table.position.line)"
        rejectUnknown(table, known: ParserDefinition.sampleKeys, context: context)
        let line = string(table, "line", context: context)
        if line == nil, table["line"] == nil { problem(table.position, "[[sample]] needs line = '...' (a log line)") }
        var values: [String: String] = [:]
        for key in ["kind", "time", "host", "client", "user", "method", "url", "status", "action", "qtype", "rcode"] {
            if let value = string(table, key, context: context) { values[key] = value }
        }
        var kind: LogEvent.Kind?
        if let text = values["kind"] {
            switch text {
            case "proxy": kind = .proxy
            case "dns": kind = .dns
            default: problem(table["kind"]!.position, "kind\(context) must be \"proxy\" or \"dns\", not \"\(text)\"")
            }
        }
        if let text = string(table, "skip", context: context) {
            guard let reason = SkipReason(rawValue: text) else {
                let reasons = SkipReason.allCases.map(\.rawValue).joined(separator: ", ")
                problem(table["skip"]!.position, "skip\(context) must be one of \(reasons), not \"\(text)\"")
                return nil
            }
            let listed = ParserDefinition.sampleKeys.filter { values[$0] != nil }
            if !listed.isEmpty {
                problem(
                    table.position,
                    "a [[sample]] with skip = \"\(text)\" lists no fields (it has \(listed.joined(separator: ", ")))")
                return nil
            }
            guard let line else { return nil }
            return ParserSample(line: line, sourceLine: table.position.line, expected: .skip(reason))
        }
        let missing = ["host", "client", "time"].filter { values[$0] == nil && table[$0] == nil }
        if !missing.isEmpty {
            problem(
                table.position,
                "a visit [[sample]] needs host, client and time (missing: \(missing.joined(separator: ", "))); a line that is no visit needs skip = \"...\"")
            return nil
        }
        var millis: Int64?
        if let text = values["time"] {
            millis = SampleCheck.parseTime(text)
            if millis == nil {
                problem(
                    table["time"]!.position,
                    "time\(context) must be RFC 3339 like 2026-11-29T03:45:04.123Z, not \"\(text)\"")
            }
        }
        guard let line, let millis, let host = values["host"], let client = values["client"] else { return nil }
        let fields = SampleFields(
            kind: kind, timeMillis: millis, host: host, client: client, user: values["user"], method: values["method"],
            url: values["url"], status: values["status"], action: values["action"], qtype: values["qtype"],
            rcode: values["rcode"])
        return ParserSample(line: line, sourceLine: table.position.line, expected: .visit(fields))
    }

    /// The line of byte `offset` of a string value at `node`: its line, plus the newlines before
    /// the offset in a multi-line string (whose first newline, right after `'''`, is not part of
    /// the value).
    func lineOf(offset: Int?, in pattern: String, node: TOMLNode) -> Int {
        guard let offset else { return node.position.line }
        let newlines = pattern.utf8.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        guard newlines > 0 || pattern.utf8.contains(0x0A) else { return node.position.line }
        return node.position.line + newlines + (startsWithNewline(node.position) ? 1 : 0)
    }

    /// Whether the value at `position` is a multi-line string whose delimiter ends its line.
    func startsWithNewline(_ position: TOMLPosition) -> Bool {
        var line = 1
        var i = 0
        while i < bytes.count, line < position.line {
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
        i += position.column - 1
        guard i + 3 < bytes.count, bytes[i] == bytes[i + 1], bytes[i] == bytes[i + 2] else { return false }
        let next = bytes[i + 3]
        return next == 0x0A || (next == 0x0D && i + 4 < bytes.count && bytes[i + 4] == 0x0A)
    }

    /// `parsers/squid-common.toml` → `squid-common`.
    static func defaultID(_ path: String) -> String {
        var name = Substring(path)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if name.hasSuffix(".toml") { name = name.dropLast(5) }
        return String(name)
    }

    static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, first &- 0x61 < 26 || first &- 0x30 < 10 else { return false }
        return bytes.allSatisfy { $0 &- 0x61 < 26 || $0 &- 0x30 < 10 || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }
}

/// Directory listing and whole-file reads, with errors worded for messages.
enum DefinitionFiles {
    struct Failure: Error {
        var message: String
    }

    /// The names of the `*.toml` files in `directory`, sorted.
    static func tomlFiles(in directory: String) throws(Failure) -> [String] {
        guard let dir = opendir(directory) else {
            throw Failure(message: "cannot open directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name.hasSuffix(".toml"), !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    /// The whole file.
    static func readAll(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure(message: "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
