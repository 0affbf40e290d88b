import Agent
import ArgumentParser
import Foundation
import LogParsing
import VisitIndex
import Watchlist

struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Load historical logs (plain or .gz, any format) into the visit index.",
        discussion: """
            Every visit goes into the index the daemon keeps (visits.sqlite in the state directory), so \
            `hostwatch visited` and retro-hunts also cover the time before the daemon ran. Hits against the \
            configuration's watchlist are printed as JSON lines and kept in the index. Loading the same file \
            again (or its gzipped copy) changes nothing: each file is recorded by a fingerprint of its content. \
            A summary goes to standard error. Exit status: 0 when every file was loaded or had been, 2 otherwise.
            """
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("The daemon's configuration: its state_dir and watchlists.", valueName: "file"))
    var configPath: String?

    @Option(help: ArgumentHelp("The state directory holding visits.sqlite (default: the config's state_dir).", valueName: "dir"))
    var stateDir: String?

    @Option(
        help: ArgumentHelp(
            "The log format: a built-in id or a definition of the parsers directory ('hostwatch parsers list'), or auto to sniff each file.",
            valueName: "id"))
    var format = "auto"

    @OptionGroup var parsers: ParsersDirectoryOption
    @OptionGroup var formatSettings: FormatSettingsOptions

    @Option(help: ArgumentHelp("Zone of log timestamps that carry none (BIND, dnsmasq): local, UTC, or an offset like +01:00.", valueName: "zone"))
    var timezone = "local"

    @Argument(help: ArgumentHelp("Log files to load.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one log file") }
        if files.contains("-") { throw ValidationError("backfill reads files, not standard input (a file is recorded by its content)") }
        if LogTimeZone.parse(timezone) == nil {
            throw ValidationError("--timezone must be local, UTC or an offset like +01:00, not '\(timezone)'")
        }
        if configPath == nil, stateDir == nil { throw ValidationError("give --config or --state-dir") }
    }

    func run() throws {
        var watchlist = Watchlist.empty
        var directory = stateDir ?? ""
        var catalog = try parsers.catalog()
        if let configPath {
            do {
                let config = try ConfigLoader.load(path: configPath)
                if stateDir == nil { directory = config.stateDirectory }
                // The daemon's own formats, unless --parsers names others.
                if parsers.directory == nil, config.parsersDirectory != nil { catalog = config.catalog }
                watchlist = try loadWatchlist(config)
            } catch {
                FileHandleStderr.write("hostwatch: \(configPath): \(error)\n")
                throw ExitCode(2)
            }
        }
        let index: VisitIndex
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            index = try VisitIndex(path: directory + "/visits.sqlite")
        } catch {
            FileHandleStderr.write("hostwatch: cannot open the visit index in \(directory): \(error)\n")
            throw ExitCode(2)
        }
        var hits: [UInt8] = []
        let options = ScanOptions(
            format: format, timeZone: LogTimeZone.parse(timezone)!, catalog: catalog,
            formatOptions: try formatSettings.options())
        let reports: [Backfill.FileReport]
        do {
            reports = try Backfill.run(
                paths: files, watchlist: watchlist, index: index, options: options, now: Int64(Date().timeIntervalSince1970 * 1000),
                hits: &hits)
        } catch {
            FileHandleStderr.write("hostwatch: \(error)\n")
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data(hits))
        var failed = false
        for report in reports {
            switch report.outcome {
            case .loaded:
                let c = report.counters
                FileHandleStderr.write(
                    "\(report.path): loaded (\(report.format ?? "?")): \(c.linesRead) lines, \(report.written.lines) visits indexed, "
                        + "\(report.written.invalidHostLines) with an IP or invalid host, \(c.linesRead - c.parsed - c.emptyLines) not visits, "
                        + "\(report.hits) hits\n")
            case .alreadyLoaded(let path, let at):
                FileHandleStderr.write("\(report.path): already loaded (as \(path), \(HitFormatter.rfc3339(at))); nothing changed\n")
            case .failed(let reason):
                failed = true
                FileHandleStderr.write("\(report.path): not loaded: \(reason)\n")
            }
        }
        if failed { throw ExitCode(2) }
    }
}
