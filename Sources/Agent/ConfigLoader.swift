#if canImport(Glibc)
import Glibc
#endif
import BlockRules
import LogParsing
import LogTailing
import TOML
import Watchlist

/// One problem with a configuration: where it is and what is wrong.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Every problem found in a configuration (not just the first).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads `hostwatch run`'s TOML configuration into a ``DaemonConfig``.
///
/// Unknown keys, wrong types and bad values are errors with the file and line; all of them are
/// reported at once. Relative paths are taken relative to the configuration file's directory
/// (for the built-in default: the current directory).
public enum ConfigLoader {
    /// The configuration used when `hostwatch run` is given none: the bundled samples and lists,
    /// state under `./state`. Meant for a first look, not for production.
    public static let defaultText = """
        # hostwatch's built-in default: the sample logs and watchlist bundled under rules/.
        state_dir = "state"

        [[source]]
        name = "samples"
        paths = ["rules/samples/*.log"]
        format = "auto"
        start_at = "beginning"

        [watchlist]
        files = ["rules/watched.txt"]
        allow = ["rules/allow.txt"]

        [[sink]]
        type = "stdout"

        [[sink]]
        type = "jsonl"
        path = "state/hits.jsonl"

        [api]
        listen = "127.0.0.1:9470"

        """

    public static let defaultSummary =
        "reads rules/samples/*.log with rules/watched.txt and rules/allow.txt, prints hits and appends them to state/hits.jsonl, state and the visit index in ./state, metrics and the API on 127.0.0.1:9470"

    /// Loads `path`, or the built-in default when `nil`.
    public static func load(path: String?) throws(ConfigError) -> DaemonConfig {
        guard let path else { return try parse(defaultText, file: "(built-in default)", baseDirectory: nil) }
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ConfigError(problems: [ConfigProblem(file: path, line: 0, message: error.description)])
        }
        return try parse(bytes: bytes, file: path, baseDirectory: Tailer.directoryName(of: path))
    }

    public static func parse(_ text: String, file: String, baseDirectory: String?) throws(ConfigError) -> DaemonConfig {
        try parse(bytes: Array(text.utf8), file: file, baseDirectory: baseDirectory)
    }

    public static func parse(bytes: [UInt8], file: String, baseDirectory: String?) throws(ConfigError) -> DaemonConfig {
        let root: TOMLTable
        do {
            root = try TOML.parse(bytes: bytes)
        } catch {
            throw ConfigError(problems: [ConfigProblem(file: file, line: error.position.line, message: error.message)])
        }
        var reader = TableReader(file: file, baseDirectory: baseDirectory)
        let config = reader.readRoot(root)
        if !reader.problems.isEmpty { throw ConfigError(problems: reader.problems) }
        return config!
    }

    /// `host:port`, `[v6]:port`.
    static func splitListen(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    /// Whether `host` (from ``splitListen(_:)``) can only be reached from this machine: `127.0.0.0/8`,
    /// `::1` or `localhost`. A name other than `localhost` may resolve to anything, so it is not.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `250ms`, `1s`, `5m`, `1h` in milliseconds.
    static func parseDuration(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            guard let value = Int64(number), value >= 0 else { return nil }
            return value * scale
        }
        return nil
    }

    static func readFile(_ path: String) throws(InputError) -> [UInt8] {
        var input = try FileByteSource(path: path)
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n = try input.read(into: chunk)
            if n == 0 { break }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
        return bytes
    }

    // MARK: - check-config

    /// Everything `hostwatch check-config` checks beyond the file itself: the watchlists load,
    /// the state directory and sink files can be written, the sources' paths exist.
    ///
    /// - Returns: problems (errors) and notes (things that are fine but worth knowing).
    public static func check(path: String) -> (problems: [String], notes: [String]) {
        let config: DaemonConfig
        do {
            config = try load(path: path)
        } catch {
            return (error.problems.map(\.description), [])
        }
        var problems: [String] = []
        var notes: [String] = []
        do {
            let watchlist = try loadWatchlist(config)
            notes.append("watchlists: \(watchlist.watchCount) watched, \(watchlist.allowCount) allowed, \(watchlist.duplicateCount) duplicates")
            for skipped in watchlist.skipped { notes.append("skipped (invalid_entries = \"skip\"): \(skipped)") }
            if !config.blocklists.isEmpty {
                do {
                    let publicSuffixes = try PublicSuffixList.load(path: config.publicSuffixList)
                    for spec in config.blocklists {
                        let outcome = BlocklistWriter.publish(spec, watchlist: watchlist, publicSuffixes: publicSuffixes, mode: .diff)
                        if let error = outcome.error { problems.append("\(path): blocklist \(error.description)") }
                        notes.append(contentsOf: outcome.lines.filter { !$0.hasPrefix("+ ") && !$0.hasPrefix("- ") })
                    }
                } catch {
                    problems.append("\(path): \(error.description)")
                }
            }
        } catch {
            problems.append(contentsOf: error.errors.map(\.description))
        }
        for spec in config.blocklists {
            if let problem = writableDirectory(Tailer.directoryName(of: spec.target.path), creatable: false) {
                problems.append("\(path): blocklist \(spec.target.path): directory \(problem)")
            }
        }
        if let problem = writableDirectory(config.stateDirectory, creatable: true) {
            problems.append("\(path): state_dir \(problem)")
        }
        for sink in config.sinks {
            if case .jsonl(let file, _) = sink.kind,
                let problem = writableDirectory(Tailer.directoryName(of: file), creatable: file.hasPrefix(config.stateDirectory + "/"))
            {
                problems.append("\(path): sink \(file): directory \(problem)")
            }
        }
        for source in config.sources {
            for pattern in source.paths {
                let matches = Tailer.expand(pattern)
                notes.append(
                    "source \(source.name): \(pattern): " + (matches.isEmpty ? "no file yet (it is picked up when it appears)" : "\(matches.count) file(s)"))
                for match in matches where access(match, R_OK) != 0 {
                    problems.append("\(path): source \(source.name): cannot read \(match): \(Errno(errno))")
                }
            }
        }
        return (problems, notes)
    }

    static func writableDirectory(_ dir: String, creatable: Bool) -> String? {
        if access(dir, W_OK | X_OK) == 0 { return nil }
        let code = errno
        if code == ENOENT, creatable {
            let parent = Tailer.directoryName(of: dir)
            return access(parent, W_OK | X_OK) == 0 ? nil : "\(dir) does not exist and \(parent) is not writable"
        }
        return "\(dir) is not writable: \(Errno(code))"
    }
}

/// Reads tables key by key, remembering which keys were used so the rest can be reported as
/// unknown, and collecting problems instead of stopping at the first.
struct TableReader {
    let file: String
    let baseDirectory: String?
    var problems: [ConfigProblem] = []
    /// The formats sources may name; `parsers_dir` adds the user's definitions.
    var catalog = ParserCatalog()

    mutating func problem(_ position: TOMLPosition, _ message: String) {
        problems.append(ConfigProblem(file: file, line: position.line, message: message))
    }

    /// Reports keys of `table` not in `known`.
    mutating func rejectUnknown(_ table: TOMLTable, known: [String], context: String) {
        for entry in table.entries where !known.contains(entry.key) {
            problem(
                entry.keyPosition,
                "unknown key '\(entry.key)'\(context); known keys: \(known.joined(separator: ", "))")
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

    mutating func integer(_ table: TOMLTable, _ key: String, context: String) -> Int64? {
        guard let node = table[key] else { return nil }
        guard case .integer(let value) = node.value else {
            problem(node.position, "\(key)\(context) must be an integer, not \(node.typeName)")
            return nil
        }
        return value
    }

    mutating func strings(_ table: TOMLTable, _ key: String, context: String) -> [String]? {
        guard let node = table[key] else { return nil }
        guard case .array(let items) = node.value else {
            problem(node.position, "\(key)\(context) must be an array of strings, not \(node.typeName)")
            return nil
        }
        var result: [String] = []
        for item in items {
            guard case .string(let value) = item.value else {
                problem(item.position, "\(key)\(context) must hold strings only, not \(item.typeName)")
                return nil
            }
            result.append(value)
        }
        return result
    }

    mutating func tables(_ root: TOMLTable, _ key: String) -> [TOMLTable] {
        guard let node = root[key] else { return [] }
        switch node.value {
        case .array(let items):
            var result: [TOMLTable] = []
            for item in items {
                if case .table(let table) = item.value { result.append(table) } else {
                    problem(item.position, "[[\(key)]] entries must be tables")
                }
            }
            return result
        default:
            problem(node.position, "\(key) must be written as [[\(key)]] tables")
            return []
        }
    }

    mutating func table(_ root: TOMLTable, _ key: String) -> TOMLTable? {
        guard let node = root[key] else { return nil }
        guard case .table(let table) = node.value else {
            problem(node.position, "\(key) must be a table ([\(key)])")
            return nil
        }
        return table
    }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let baseDirectory, baseDirectory != "." else { return path }
        return baseDirectory + "/" + path
    }

    mutating func readRoot(_ root: TOMLTable) -> DaemonConfig? {
        rejectUnknown(
            root,
            known: [
                "state_dir", "parsers_dir", "source", "watchlist", "sink", "blocklist", "public_suffix_list", "index",
                "api", "tail",
            ],
            context: "")
        let parsersDirectory = string(root, "parsers_dir", context: "").map(resolve)
        if let parsersDirectory { readParsers(parsersDirectory) }
        let stateDirectory = string(root, "state_dir", context: "")
        if stateDirectory == nil, root["state_dir"] == nil {
            problem(root.position, "state_dir is required (where checkpoints are kept)")
        }
        var sources: [DaemonConfig.Source] = []
        let sourceTables = tables(root, "source")
        if sourceTables.isEmpty, root["source"] == nil { problem(root.position, "at least one [[source]] is required") }
        var names: [String] = []
        for table in sourceTables {
            if let source = readSource(table, names: &names) { sources.append(source) }
        }
        var watchFiles: [String] = []
        var allowFiles: [String] = []
        var invalidEntries = InvalidEntryPolicy.reject
        if let watchlist = table(root, "watchlist") {
            rejectUnknown(watchlist, known: ["files", "allow", "invalid_entries"], context: " in [watchlist]")
            watchFiles = strings(watchlist, "files", context: " in [watchlist]") ?? []
            allowFiles = strings(watchlist, "allow", context: " in [watchlist]") ?? []
            if let text = string(watchlist, "invalid_entries", context: " in [watchlist]") {
                if let policy = InvalidEntryPolicy(rawValue: text) { invalidEntries = policy } else {
                    problem(watchlist["invalid_entries"]!.position, "invalid_entries must be \"reject\" or \"skip\", not \"\(text)\"")
                }
            }
            if watchFiles.isEmpty {
                problem(watchlist.position, "[watchlist] files must name at least one watch list")
            }
        } else if root["watchlist"] == nil {
            problem(root.position, "[watchlist] with files = [...] is required")
        }
        var sinks: [DaemonConfig.Sink] = []
        for table in tables(root, "sink") {
            if let sink = readSink(table) {
                if sinks.contains(where: { $0.name == sink.name }) {
                    problem(table.position, "a second sink \(sink.name)")
                } else {
                    sinks.append(sink)
                }
            }
        }
        if root["sink"] == nil { sinks = [DaemonConfig.Sink(kind: .stdout, onError: .block)] }
        var listen: String? = "127.0.0.1:9470"
        var apiToken: APIToken?
        if let api = table(root, "api") {
            rejectUnknown(api, known: ["listen", "token_file"], context: " in [api]")
            if let value = string(api, "listen", context: " in [api]") {
                if value.isEmpty {
                    listen = nil
                } else if ConfigLoader.splitListen(value) == nil {
                    problem(api["listen"]!.position, "listen must be host:port (like 127.0.0.1:9470), or \"\" to turn the endpoint off")
                } else {
                    listen = value
                }
            }
            if let path = string(api, "token_file", context: " in [api]") {
                apiToken = readToken(resolve(path), at: api["token_file"]!.position)
            }
            if api["token_file"] == nil, let listen, let (host, _) = ConfigLoader.splitListen(listen),
                !ConfigLoader.isLoopback(host)
            {
                problem(
                    api["listen"]!.position,
                    "listen = \"\(listen)\" is not a loopback address and no token_file is set: the API would let anyone on the network read the index; set token_file, or listen on 127.0.0.1")
            }
        }
        var config = DaemonConfig(
            stateDirectory: resolve(stateDirectory ?? "."), sources: sources,
            watchFiles: watchFiles.map(resolve), allowFiles: allowFiles.map(resolve), sinks: sinks, listen: listen)
        config.invalidEntries = invalidEntries
        config.apiToken = apiToken
        config.catalog = catalog
        config.parsersDirectory = parsersDirectory
        for table in tables(root, "blocklist") {
            guard let spec = readBlocklist(table) else { continue }
            if config.blocklists.contains(where: { $0.target.path == spec.target.path }) {
                problem(table.position, "a second [[blocklist]] writes \(spec.target.path)")
            } else {
                config.blocklists.append(spec)
            }
        }
        if let path = string(root, "public_suffix_list", context: "") { config.publicSuffixList = resolve(path) }
        if let index = table(root, "index") {
            rejectUnknown(index, known: ["enabled", "retention_days"], context: " in [index]")
            if let node = index["enabled"] {
                if case .boolean(let enabled) = node.value { config.indexEnabled = enabled } else {
                    problem(node.position, "enabled in [index] must be true or false")
                }
            }
            if let days = integer(index, "retention_days", context: " in [index]") {
                if (1...3650).contains(days) { config.indexRetentionDays = Int(days) } else {
                    problem(index["retention_days"]!.position, "retention_days must be 1 to 3650")
                }
            }
        }
        if let tail = table(root, "tail") {
            let keys = ["poll_interval", "checkpoint_interval", "rotate_wait", "partial_line_wait"]
            rejectUnknown(tail, known: keys, context: " in [tail]")
            for key in keys {
                guard let text = string(tail, key, context: " in [tail]") else { continue }
                guard let millis = ConfigLoader.parseDuration(text), millis > 0 else {
                    problem(tail[key]!.position, "\(key) must be a duration like \"250ms\", \"1s\" or \"5m\", not \"\(text)\"")
                    continue
                }
                switch key {
                case "poll_interval": config.pollIntervalMillis = millis
                case "checkpoint_interval": config.checkpointIntervalMillis = millis
                case "rotate_wait": config.rotateWaitMillis = millis
                default: config.partialLineWaitMillis = millis
                }
            }
        }
        return config
    }

    /// - Parameter names: the names of the sources so far (a source with errors still has its name).
    mutating func readSource(_ table: TOMLTable, names: inout [String]) -> DaemonConfig.Source? {
        let context = " in [[source]] at line \(table.position.line)"
        rejectUnknown(
            table,
            known: [
                "name", "paths", "format", "start_at", "time_zone", "max_line_bytes", "fields", "kind", "time_format",
                "logformat", "header",
            ],
            context: context)
        let name = string(table, "name", context: context)
        if name == nil, table["name"] == nil { problem(table.position, "[[source]] needs a name") }
        if let name {
            if names.contains(name) { problem(table["name"]!.position, "a second source named '\(name)'") }
            names.append(name)
        }
        let paths = strings(table, "paths", context: context)
        if paths?.isEmpty ?? (table["paths"] == nil) {
            problem(table.position, "[[source]] needs paths = [\"/var/log/...\"]")
        }
        let format = string(table, "format", context: context) ?? "auto"
        let options = readFormatOptions(table, context: context)
        if format != "auto" {
            // Set the format up once now, so a bad id or bad options is a problem at load time.
            do {
                _ = try catalog.make(format, context: ParserContext(referenceTimeMillis: 0, timeZone: .utc), options: options)
            } catch {
                problem(table["format"]!.position, error.message)
            }
        }
        var startAtEnd = true
        if let start = string(table, "start_at", context: context) {
            switch start {
            case "end": startAtEnd = true
            case "beginning": startAtEnd = false
            default: problem(table["start_at"]!.position, "start_at must be \"end\" or \"beginning\", not \"\(start)\"")
            }
        }
        var zone = LogTimeZone.local
        if let text = string(table, "time_zone", context: context) {
            if let parsed = LogTimeZone.parse(text) { zone = parsed } else {
                problem(table["time_zone"]!.position, "time_zone must be local, UTC or an offset like +01:00, not \"\(text)\"")
            }
        }
        var maxLineBytes = 64 << 10
        if let value = integer(table, "max_line_bytes", context: context) {
            if value < 256 || value > 64 << 20 {
                problem(table["max_line_bytes"]!.position, "max_line_bytes must be between 256 and 67108864")
            } else {
                maxLineBytes = Int(value)
            }
        }
        guard let name, let paths, !paths.isEmpty else { return nil }
        var source = DaemonConfig.Source(
            name: name, paths: paths.map(resolve), format: format, startAtEnd: startAtEnd, timeZone: zone,
            maxLineBytes: maxLineBytes)
        source.options = options
        return source
    }

    /// `fields`, `kind`, `time_format`, `logformat`, `header`: the settings of the formats that
    /// need them (checked against the format when it is set up).
    mutating func readFormatOptions(_ table: TOMLTable, context: String) -> FormatOptions {
        var options = FormatOptions()
        if let node = table["fields"] {
            if case .table(let fields) = node.value {
                for entry in fields.entries {
                    if case .string(let value) = entry.node.value {
                        options.fields[entry.key] = value
                    } else if case .integer(let column) = entry.node.value {
                        options.fields[entry.key] = String(column)
                    } else {
                        problem(entry.keyPosition, "fields.\(entry.key)\(context) must be a string or a column number")
                    }
                }
            } else {
                problem(node.position, "fields\(context) must be a table like { host = \"query\", time = \"ts\" }")
            }
        }
        if let kind = string(table, "kind", context: context) {
            switch kind {
            case "proxy": options.kind = .proxy
            case "dns": options.kind = .dns
            default: problem(table["kind"]!.position, "kind must be \"proxy\" or \"dns\", not \"\(kind)\"")
            }
        }
        options.timeFormat = string(table, "time_format", context: context)
        options.logformat = string(table, "logformat", context: context)
        if let node = table["header"] {
            if case .boolean(let header) = node.value { options.header = header } else {
                problem(node.position, "header\(context) must be true or false")
            }
        }
        return options
    }

    /// Loads the user's format definitions into the catalog; each bad file is a problem.
    mutating func readParsers(_ directory: String) {
        // A directory that does not exist holds no formats; a source naming one of them is then
        // the problem reported ("unknown format").
        if access(directory, F_OK) != 0, errno == ENOENT { return }
        let loaded = ParserCatalog.load(directory: directory)
        catalog = loaded.catalog
        for definitionProblem in loaded.problems {
            problems.append(
                ConfigProblem(file: definitionProblem.file, line: definitionProblem.line, message: definitionProblem.message))
        }
    }

    /// The token in `path`; an unreadable, empty or weak token file is a problem at `position`.
    mutating func readToken(_ path: String, at position: TOMLPosition) -> APIToken? {
        let bytes: [UInt8]
        do {
            bytes = try ConfigLoader.readFile(path)
        } catch {
            problem(position, "token_file: \(error.description)")
            return nil
        }
        switch APIToken.parse(bytes, path: path) {
        case .success(let token):
            return token
        case .failure(let why):
            problem(position, "token_file \(path) \(why.explanation)")
            return nil
        }
    }

    mutating func readBlocklist(_ table: TOMLTable) -> BlocklistSpec? {
        let context = " in [[blocklist]] at line \(table.position.line)"
        rejectUnknown(
            table,
            known: [
                "format", "path", "select", "min_risk", "policy", "redirect_to", "zone", "ttl", "max_entries",
                "validate", "reload", "max_change", "change_floor", "timeout",
            ], context: context)
        let formats = BlockFormat.allCases.map(\.rawValue).joined(separator: ", ")
        guard let formatText = string(table, "format", context: context) else {
            if table["format"] == nil { problem(table.position, "[[blocklist]] needs format = one of \(formats)") }
            return nil
        }
        guard let format = BlockFormat(rawValue: formatText) else {
            problem(table["format"]!.position, "unknown blocklist format '\(formatText)'; known: \(formats)")
            return nil
        }
        guard let path = string(table, "path", context: context) else {
            if table["path"] == nil { problem(table.position, "[[blocklist]] needs path = \"...\" (the file to write)") }
            return nil
        }
        var spec = BlocklistSpec(target: BlockTarget(format: format, path: resolve(path)))
        if let select = string(table, "select", context: context) {
            switch select {
            case "marked": spec.allUnlessAlert = false
            case "all": spec.allUnlessAlert = true
            default: problem(table["select"]!.position, "select must be \"marked\" (action=block, or min_risk) or \"all\", not \"\(select)\"")
            }
        }
        if let risk = integer(table, "min_risk", context: context) {
            if (0...100).contains(risk) { spec.minRisk = Int(risk) } else { problem(table["min_risk"]!.position, "min_risk must be 0 to 100") }
        }
        let policy = string(table, "policy", context: context) ?? (format == .hosts ? "null" : "nxdomain")
        do {
            spec.target.options.answer = try BlockAnswer.parse(policy, redirectTo: string(table, "redirect_to", context: context))
        } catch {
            problem((table["policy"] ?? table["redirect_to"])?.position ?? table.position, error.description)
        }
        if let zone = string(table, "zone", context: context) { spec.target.options.rpzZone = zone }
        if let ttl = integer(table, "ttl", context: context) { spec.target.options.ttl = Int(clamping: ttl) }
        if let lines = integer(table, "max_entries", context: context) { spec.target.options.edlMaxLines = Int(clamping: lines) }
        do {
            try spec.target.options.check(for: format)
        } catch {
            problem(table.position, "[[blocklist]] \(path): \(error.description)")
        }
        spec.target.validate = strings(table, "validate", context: context) ?? []
        spec.target.reload = strings(table, "reload", context: context) ?? []
        if let node = table["max_change"] {
            switch node.value {
            case .float(let share) where (0...1).contains(share): spec.target.changeGuard.maxShare = share
            case .integer(let share) where (0...1).contains(share): spec.target.changeGuard.maxShare = Double(share)
            default: problem(node.position, "max_change must be a share between 0 and 1 (like 0.5)")
            }
        }
        if let floor = integer(table, "change_floor", context: context) {
            if floor >= 0 { spec.target.changeGuard.floor = Int(clamping: floor) } else { problem(table["change_floor"]!.position, "change_floor must be 0 or more") }
        }
        if let text = string(table, "timeout", context: context) {
            if let millis = ConfigLoader.parseDuration(text), millis > 0 { spec.target.commandTimeout = Double(millis) / 1000 } else {
                problem(table["timeout"]!.position, "timeout must be a duration like \"30s\", not \"\(text)\"")
            }
        }
        return spec
    }

    mutating func readSink(_ table: TOMLTable) -> DaemonConfig.Sink? {
        let context = " in [[sink]] at line \(table.position.line)"
        guard let type = string(table, "type", context: context) else {
            if table["type"] == nil { problem(table.position, "[[sink]] needs type = \"jsonl\" or \"stdout\"") }
            return nil
        }
        var onError = SinkErrorPolicy.block
        if let text = string(table, "on_error", context: context) {
            if let policy = SinkErrorPolicy(rawValue: text) { onError = policy } else {
                problem(table["on_error"]!.position, "on_error must be \"block\" or \"drop\", not \"\(text)\"")
            }
        }
        switch type {
        case "stdout":
            rejectUnknown(table, known: ["type", "on_error"], context: context)
            return DaemonConfig.Sink(kind: .stdout, onError: onError)
        case "jsonl":
            rejectUnknown(table, known: ["type", "path", "fsync", "on_error"], context: context)
            var fsync = FsyncPolicy.checkpoint
            if let text = string(table, "fsync", context: context) {
                if let policy = FsyncPolicy(rawValue: text) { fsync = policy } else {
                    problem(table["fsync"]!.position, "fsync must be \"always\", \"checkpoint\" or \"never\", not \"\(text)\"")
                }
            }
            guard let path = string(table, "path", context: context) else {
                if table["path"] == nil { problem(table.position, "a jsonl sink needs path = \"...\"") }
                return nil
            }
            return DaemonConfig.Sink(kind: .jsonl(path: resolve(path), fsync: fsync), onError: onError)
        default:
            problem(table["type"]!.position, "unknown sink type '\(type)'; known: jsonl, stdout")
            return nil
        }
    }
}
