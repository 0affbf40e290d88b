import Agent
import ArgumentParser
import LogParsing
import LogTailing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--parsers DIR`: where the user's format definitions are, for every command that reads logs.
struct ParsersDirectoryOption: ParsableArguments {
    static let defaultDirectory = "/etc/hostwatch/parsers"

    @Option(
        name: .customLong("parsers"),
        help: ArgumentHelp(
            "The directory of user format definitions (*.toml; default \(defaultDirectory) when it exists).",
            valueName: "dir"))
    var directory: String?

    /// The built-in formats and the definitions found; a broken definition file is an error
    /// (exit 2) that names the file and line.
    func catalog() throws -> ParserCatalog {
        guard let path = directory ?? (access(Self.defaultDirectory, F_OK) == 0 ? Self.defaultDirectory : nil) else {
            return ParserCatalog()
        }
        let loaded = ParserCatalog.load(directory: path)
        if !loaded.problems.isEmpty {
            // A definition that does not load would be a format that silently is not there.
            for problem in loaded.problems { FileHandleStderr.write("hostwatch: \(problem)\n") }
            throw ExitCode(2)
        }
        return loaded.catalog
    }
}

struct ParsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parsers",
        abstract: "List the log formats, and test the user's definitions against their samples.",
        subcommands: [ParsersListCommand.self, ParsersTestCommand.self]
    )
}

struct ParsersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every format: id, kind, and origin (built-in, or the definition file).")

    @OptionGroup var parsers: ParsersDirectoryOption

    func run() throws {
        let catalog = try parsers.catalog()
        let width = catalog.formats.map(\.id.count).max() ?? 2
        print("id".padding(width) + "  kind       origin")
        for format in catalog.formats {
            let origin: String
            switch format.origin {
            case .builtIn: origin = "built-in"
            case .file(let path): origin = path
            }
            let options = format.needsOptions ? " (needs settings in its [[source]])" : ""
            print(format.id.padding(width) + "  " + format.kind.padding(9) + "  " + origin + "  " + format.summary + options)
        }
    }
}

struct ParsersTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every [[sample]] of the definitions and show, field by field, what differs.",
        discussion: """
            Without FILE, tests every definition of the parsers directory. Exit status: 0 when every \
            sample gives its fields, 1 when one does not, 2 when a definition cannot be loaded.
            """
    )

    @OptionGroup var parsers: ParsersDirectoryOption

    @Argument(help: ArgumentHelp("Definition files to test (default: every *.toml of the parsers directory).", valueName: "file"))
    var files: [String] = []

    func run() throws {
        var definitions: [ParserDefinition] = []
        if files.isEmpty {
            definitions = try parsers.catalog().definitions
        } else {
            var failed = false
            for file in files {
                do {
                    definitions.append(try ParserDefinition.load(file: file, builtinIDs: ParserRegistry.builtinIDs))
                } catch {
                    for problem in error.problems { FileHandleStderr.write("hostwatch: \(problem)\n") }
                    failed = true
                }
            }
            if failed { throw ExitCode(2) }
        }
        var samples = 0
        var failures = 0
        for definition in definitions {
            let results = SampleCheck.run(definition)
            samples += results.count
            let failing = results.filter { !$0.passed }
            failures += failing.count
            print("\(definition.id) (\(definition.file)): \(results.count - failing.count)/\(results.count) samples pass")
            for result in failing { print(result.description) }
        }
        print("\(definitions.count) definitions, \(samples) samples, \(failures) failed")
        if failures > 0 { throw ExitCode(1) }
    }
}

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print the fields a format reads from each line, as JSON lines (for checking a format).",
        discussion: """
            Each line gives one JSON object: its number and offset, then the skip reason, or the fields \
            of the visit (host as logged and the canonical name that is matched). A summary goes to \
            standard error. With --format auto, says which format it chose and why. \
            Exit status: 0, or 2 on a usage or input error.
            """
    )

    @Option(help: ArgumentHelp("A format id (see 'hostwatch parsers list'), or auto.", valueName: "id"))
    var format: String

    @Option(help: ArgumentHelp("Zone of log timestamps that carry none: local, UTC, or an offset like +01:00.", valueName: "zone"))
    var timezone = "local"

    @OptionGroup var parsers: ParsersDirectoryOption
    @OptionGroup var formatSettings: FormatSettingsOptions

    @Argument(help: ArgumentHelp("The log file (plain or gzip), or - for standard input.", valueName: "file"))
    var file = "-"

    func validate() throws {
        if LogTimeZone.parse(timezone) == nil {
            throw ValidationError("--timezone must be local, UTC or an offset like +01:00, not '\(timezone)'")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let catalog = try parsers.catalog()
        let context = ParserContext(referenceTimeMillis: TimeWindow.nowMillis(), timeZone: LogTimeZone.parse(timezone)!)
        let options = try formatSettings.options()
        var reader: LineReader<LogInput>
        do {
            reader = LineReader(source: try LogInput.open(path: file), maxLineBytes: 1 << 20, chunkSize: 256 << 10)
        } catch {
            FileHandleStderr.write("hostwatch: \(error)\n")
            throw ExitCode(2)
        }
        var id = format
        if format == "auto" {
            // Peeked lines are read again by the dump: standard input works too.
            let sniffed: ParserCatalog.Sniffed
            do {
                sniffed = try reader.withFirstLines(maxLines: 20) { catalog.sniff($0, context: context) }
            } catch {
                FileHandleStderr.write("hostwatch: \(error)\n")
                throw ExitCode(2)
            }
            guard let best = sniffed.best else {
                FileHandleStderr.write(
                    "hostwatch: \(file): no known log format fits its first \(sniffed.lines) lines (\(sniffed.bestGuess))\n")
                throw ExitCode(2)
            }
            id = best.id
            FileHandleStderr.write("\(file): format \(id) (auto: \(sniffed.reason))\n")
        }
        let parser: any LogParser
        do {
            parser = try catalog.make(id, context: context, options: options)
        } catch {
            FileHandleStderr.write("hostwatch: \(error.message)\n")
            throw ExitCode(2)
        }
        var output = OutputBuffer(fd: STDOUT_FILENO, name: "standard output")
        do {
            let summary = try ParseDump.run(reader: &reader, parser: parser, output: &output)
            let skipped = summary.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            FileHandleStderr.write(
                "\(file): format \(id): \(summary.lines) lines, \(summary.visits) visits"
                    + (skipped.isEmpty ? "" : ", skipped: \(skipped)") + "\n")
        } catch let error as OutputError where error.isBrokenPipe {
            return
        } catch {
            FileHandleStderr.write("hostwatch: \(error)\n")
            throw ExitCode(2)
        }
    }
}

/// The settings of the formats that need them, as command-line options (a `[[source]]` has the
/// same keys).
struct FormatSettingsOptions: ParsableArguments {
    @Option(
        name: .customLong("field"),
        help: ArgumentHelp("For json/csv/tsv: FIELD=PATH, e.g. host=dns.rrname or host=4 (repeatable).", valueName: "field=path"))
    var fields: [String] = []

    @Option(help: ArgumentHelp("For json/csv/tsv: proxy or dns.", valueName: "kind"))
    var kind = "proxy"

    @Option(help: ArgumentHelp("For json/csv/tsv: how times are written (iso8601, epoch, epoch_millis, or %Y-%m-%d %H:%M:%S…).", valueName: "spec"))
    var timeFormat: String?

    @Option(help: ArgumentHelp("For squid-logformat: the proxy's logformat string.", valueName: "format"))
    var logformat: String?

    @Flag(help: "For csv/tsv: the first line names the columns.")
    var header = false

    func options() throws -> FormatOptions {
        var options = FormatOptions(timeFormat: timeFormat, logformat: logformat, header: header)
        switch kind {
        case "proxy": options.kind = .proxy
        case "dns": options.kind = .dns
        default: throw ValidationError("--kind must be proxy or dns, not '\(kind)'")
        }
        for field in fields {
            guard let equals = field.firstIndex(of: "="), equals != field.startIndex else {
                throw ValidationError("--field must be FIELD=PATH, not '\(field)'")
            }
            options.fields[String(field[..<equals])] = String(field[field.index(after: equals)...])
        }
        return options
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
