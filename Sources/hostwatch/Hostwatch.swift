import Agent
import ArgumentParser
import LogParsing
import Logging
import Watchlist

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `hostwatch` command: argument parsing only; the work is in `Agent`.
struct Hostwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostwatch",
        abstract: "Watch proxy and DNS logs for visits to suspicious domains.",
        version: "0.1.0",
        subcommands: [
            ScanCommand.self, RunCommand.self, BlocklistCommand.self, VisitedCommand.self, BackfillCommand.self,
            CheckConfigCommand.self, ParsersCommand.self, ParseCommand.self,
        ]
    )

    /// Runs the command line; usage errors exit 2 (not ArgumentParser's 64), as the issue asks
    /// of every hostwatch command.
    static func main(_ arguments: [String]) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var daemon = command as? RunCommand {
                Glibc.exit(await daemon.runDaemon())
            }
            try command.run()
            Glibc.exit(0)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let status = exitCode(for: error)
            let message = fullMessage(for: error)
            if status == .success {
                print(message)
                Glibc.exit(0)
            }
            FileHandleStderr.write("hostwatch: \(message)\n")
            Glibc.exit(2)
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: follow logs, write hits, checkpoint, serve /metrics and /healthz.",
        discussion: """
            Without --config, a built-in default reads the samples bundled under rules/ (run it from \
            the repository) and keeps state in ./state. Signals: SIGHUP reloads the configuration and \
            watchlists; SIGTERM or SIGINT stops after writing and checkpointing what was read (exit 0). \
            Exit status 2: the configuration, watchlists or state cannot be used.
            """
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("The TOML configuration file.", valueName: "file"))
    var configPath: String?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error.", valueName: "level"))
    var logLevel = "info"

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() throws {
        throw ValidationError("internal: run is started through main")
    }

    mutating func runDaemon() async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // Until the reloader traps it, a SIGHUP must not kill the daemon (its default action).
        signal(SIGHUP, SIG_IGN)
        JournalLogHandler.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let logger = Logger(label: "hostwatch")
        return await Daemon.run(configPath: configPath, logger: logger)
    }
}

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration: keys, values, watchlists, formats, writable paths.",
        discussion: "Prints every problem as file:line: message. Exit status 0 when there is none, 1 otherwise."
    )

    @Argument(help: ArgumentHelp("The TOML configuration file.", valueName: "file"))
    var file: String

    func run() throws {
        let (problems, notes) = ConfigLoader.check(path: file)
        for note in notes { print(note) }
        if problems.isEmpty {
            print("\(file): OK")
            return
        }
        for problem in problems { FileHandleStderr.write(problem + "\n") }
        FileHandleStderr.write("\(file): \(problems.count) problem(s)\n")
        throw ExitCode(1)
    }
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Read log files once and print hits on watched domains as JSON lines.",
        discussion: """
            Each FILE may be plain or gzip (detected by its magic bytes), or '-' for standard input. \
            Hits go to standard output, one JSON object per line; a summary goes to standard error. \
            Exit status: 0 on success, 2 on a usage or input error.
            """
    )

    @Option(name: .customLong("watchlist"), help: ArgumentHelp("A watch list file (repeatable).", valueName: "file"))
    var watchlists: [String] = []

    @Option(name: .customLong("allow"), help: ArgumentHelp("An allow list file (repeatable): these names never hit.", valueName: "file"))
    var allowLists: [String] = []

    @Option(
        help: ArgumentHelp(
            "The log format: a built-in id or a definition of the parsers directory ('hostwatch parsers list'), or auto to sniff each file.",
            valueName: "id"))
    var format = "auto"

    @OptionGroup var parsers: ParsersDirectoryOption
    @OptionGroup var formatSettings: FormatSettingsOptions

    @Option(
        help: ArgumentHelp(
            "Zone of log timestamps that carry none (BIND, dnsmasq): local, UTC, or an offset like +01:00.",
            valueName: "zone"))
    var timezone = "local"

    @Option(help: ArgumentHelp("Longer lines are skipped and counted.", valueName: "bytes"))
    var maxLineBytes = 1 << 20

    @Flag(name: .customLong("quiet"), help: "Do not print the summary on standard error.")
    var quiet = false

    @Argument(help: ArgumentHelp("Log files to read, or - for standard input.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if watchlists.isEmpty { throw ValidationError("give at least one --watchlist file") }
        if files.isEmpty { throw ValidationError("give at least one log file, or - for standard input") }
        if maxLineBytes < 256 { throw ValidationError("--max-line-bytes must be at least 256") }
        if Self.parseZone(timezone) == nil {
            throw ValidationError("--timezone must be local, UTC or an offset like +01:00, not '\(timezone)'")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let watchlist: Watchlist
        do {
            watchlist = try Watchlist.load(watch: watchlists, allow: allowLists)
        } catch {
            FileHandleStderr.write("hostwatch: the watchlists have errors; nothing was scanned:\n\(error)\n")
            throw ExitCode(2)
        }
        var output = OutputBuffer(fd: STDOUT_FILENO, name: "standard output")
        let options = ScanOptions(
            format: format, timeZone: Self.parseZone(timezone)!, maxLineBytes: maxLineBytes,
            catalog: try parsers.catalog(), formatOptions: try formatSettings.options())
        let report: ScanReport
        do {
            report = try Scan.run(paths: files, watchlist: watchlist, options: options, output: &output)
        } catch {
            FileHandleStderr.write("hostwatch: \(error)\n")
            throw ExitCode(2)
        }
        if !quiet {
            FileHandleStderr.write(
                "watchlist: \(watchlist.watchCount) watched, \(watchlist.allowCount) allowed, "
                    + "\(watchlist.duplicateCount) duplicates\n\(report.summary)\n")
        } else {
            for input in report.inputs { if let error = input.error { FileHandleStderr.write("error: \(error)\n") } }
        }
        if report.hasInputErrors { throw ExitCode(2) }
    }

    /// `local`, `UTC`/`Z`, or `±HH:MM` / `±HHMM` (the same rule as the config's `time_zone`).
    static func parseZone(_ text: String) -> LogTimeZone? { LogTimeZone.parse(text) }
}

/// Unbuffered writes to standard error.
enum FileHandleStderr {
    static func write(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
