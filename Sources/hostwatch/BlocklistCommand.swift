import Agent
import ArgumentParser
import BlockRules
import Watchlist

#if canImport(Glibc)
import Glibc
#endif

struct BlocklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocklist",
        abstract: "Write block rules for one target (Squid, RPZ, Unbound, dnsmasq, EDL, hosts, plain) from the watchlists.",
        discussion: """
            Takes the watch entries marked action=block (or, with --min-risk N, unmarked entries of risk ≥ N; \
            with --all, every entry not marked action=alert), leaves out expired entries, IP entries, public \
            suffixes (Debian's publicsuffix list) and anything that is, is under, or is above an allow entry, \
            and reports each one left out. The file is replaced atomically: written next to the old one, \
            checked with --validate, renamed over it, then --reload runs; a failure keeps the old file. \
            Commands are split on spaces and run without a shell; {} stands for the file. \
            Exit status: 0 done (or unchanged), 1 the file was not replaced (change guard, validator, reload, \
            a file hostwatch did not write), 2 usage, watchlist or configuration errors.
            """
    )

    @Option(help: ArgumentHelp("squid, rpz, unbound, dnsmasq, edl, hosts or plain.", valueName: "format"))
    var format: String

    @Option(name: .customLong("watchlist"), help: ArgumentHelp("A watch list file (repeatable).", valueName: "file"))
    var watchlists: [String] = []

    @Option(name: .customLong("allow"), help: ArgumentHelp("An allow list file (repeatable): never blocked.", valueName: "file"))
    var allowLists: [String] = []

    @Option(name: .customLong("out"), help: ArgumentHelp("The file to write, or - for standard output.", valueName: "path"))
    var out: String

    @Flag(help: "Render, guard and validate, but replace nothing.")
    var check = false

    @Flag(help: "Print what would be added (+) and removed (-); write nothing.")
    var diff = false

    @Flag(help: "Publish even past the change guard, and overwrite a file hostwatch did not write.")
    var force = false

    @Flag(help: "Block every watch entry not marked action=alert (a feed of names to block).")
    var all = false

    @Option(help: ArgumentHelp("Also block unmarked entries with at least this risk.", valueName: "0-100"))
    var minRisk: Int?

    @Option(help: ArgumentHelp("What a blocked name answers: nxdomain, nodata, refuse, null, local, redirect.", valueName: "policy"))
    var policy = "nxdomain"

    @Option(help: ArgumentHelp("The walled garden for --policy redirect: an address or a name.", valueName: "target"))
    var redirectTo: String?

    @Option(help: ArgumentHelp("RPZ: the zone's name (its $ORIGIN).", valueName: "name"))
    var zone = "rpz.hostwatch"

    @Option(help: ArgumentHelp("RPZ: the TTL in seconds.", valueName: "seconds"))
    var ttl = 300

    @Option(help: ArgumentHelp("EDL: the most lines the firewall takes.", valueName: "lines"))
    var maxEntries = 150_000

    @Option(
        name: .customLong("validate"),
        help: ArgumentHelp("Check the new file with this command ({} = the file), e.g. 'named-checkzone rpz.hostwatch {}'.", valueName: "command"))
    var validateCommand: String?

    @Option(
        name: .customLong("reload"),
        help: ArgumentHelp("Run this after replacing the file, e.g. 'rndc reload rpz.hostwatch'.", valueName: "command"))
    var reloadCommand: String?

    @Option(help: ArgumentHelp("Change guard: the largest share of entries added or removed at once.", valueName: "0-1"))
    var maxChange = 0.5

    @Option(help: ArgumentHelp("Seconds the validator or reload may take.", valueName: "seconds"))
    var timeout = 60.0

    @Option(help: ArgumentHelp("The Public Suffix List.", valueName: "file"))
    var publicSuffixList = PublicSuffixList.debianPath

    @Flag(help: "Skip invalid watchlist lines (each is reported) instead of failing.")
    var skipInvalid = false

    func validate() throws {
        if watchlists.isEmpty { throw ValidationError("give at least one --watchlist file") }
        if BlockFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of \(BlockFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if check && diff { throw ValidationError("--check and --diff do not go together") }
        if let minRisk, !(0...100).contains(minRisk) { throw ValidationError("--min-risk must be 0 to 100") }
        if !(0...1).contains(maxChange) { throw ValidationError("--max-change must be between 0 and 1") }
        if out == "-", check || diff || validateCommand != nil || reloadCommand != nil {
            throw ValidationError("--out - prints the file; --check, --diff, --validate and --reload need a path")
        }
    }

    func run() throws {
        var target = BlockTarget(format: BlockFormat(rawValue: format)!, path: out)
        do {
            target.options.answer =
                try format == "hosts" && policy == "nxdomain" ? .null : BlockAnswer.parse(policy, redirectTo: redirectTo)
            target.options.rpzZone = zone
            target.options.ttl = ttl
            target.options.edlMaxLines = maxEntries
            try target.options.check(for: target.format)
        } catch {
            throw ValidationError(error.description)
        }
        target.validate = validateCommand.map(Self.words) ?? []
        target.reload = reloadCommand.map(Self.words) ?? []
        target.changeGuard.maxShare = maxChange
        target.commandTimeout = timeout
        let spec = BlocklistSpec(target: target, minRisk: minRisk, allUnlessAlert: all)

        let watchlist: Watchlist
        let publicSuffixes: PublicSuffixList
        do {
            watchlist = try Watchlist.load(watch: watchlists, allow: allowLists, invalidEntries: skipInvalid ? .skip : .reject)
            publicSuffixes = try PublicSuffixList.load(path: publicSuffixList)
        } catch let error as WatchlistLoadError {
            FileHandleStderr.write(error.description + "\n")
            throw ExitCode(2)
        } catch {
            FileHandleStderr.write("\(error)\n")
            throw ExitCode(2)
        }
        for skipped in watchlist.skipped { FileHandleStderr.write("skipped \(skipped)\n") }
        if watchlist.skippedCount > watchlist.skipped.count {
            FileHandleStderr.write("skipped \(watchlist.skippedCount - watchlist.skipped.count) more invalid lines\n")
        }

        if out == "-" {
            let selection = BlockSelection(minRisk: minRisk, allUnlessAlert: all)
            let (set, report) = BlockSet.select(from: watchlist, selection: selection, publicSuffixes: publicSuffixes)
            let (bytes, render) = BlockRenderer.render(set, format: target.format, options: target.options, serial: UInt32(truncatingIfNeeded: currentUnixSeconds()))
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + written, $0.count - written) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { throw ExitCode(1) }
                written += n
            }
            FileHandleStderr.write("\(render.written) entries\(BlocklistWriter.details(report, render))\n")
            for exclusion in report.excluded { FileHandleStderr.write("  \(exclusion)\n") }
            return
        }
        let mode: PublishMode = check ? .check : diff ? .diff : .publish
        let outcome = BlocklistWriter.publish(spec, watchlist: watchlist, publicSuffixes: publicSuffixes, mode: mode, force: force)
        // The diff goes to standard output (it is the answer); the report to standard error.
        for line in outcome.lines {
            if line.hasPrefix("+ ") || line.hasPrefix("- ") { print(line) } else { FileHandleStderr.write(line + "\n") }
        }
        if outcome.error != nil { throw ExitCode(1) }
    }

    /// A command line split on spaces (no shell, no quoting: each word is one argument).
    static func words(_ command: String) -> [String] {
        command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}
