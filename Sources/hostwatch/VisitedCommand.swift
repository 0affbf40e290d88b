import Agent
import ArgumentParser
import DomainMatch
import Foundation
import VisitIndex

struct VisitedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visited",
        abstract: "Did any internal user visit DOMAIN (or a name under it)? Answered from the visit index.",
        discussion: """
            Lists each client and user with first seen, last seen and count, and the hosts under the \
            domain that were visited. Reads the index the daemon keeps in its state directory \
            (visits.sqlite), also while the daemon runs. Exit status: 0 visited, 1 not visited, 2 error.
            """
    )

    @Argument(help: ArgumentHelp("The domain (any case, trailing dot, IDN or punycode).", valueName: "domain"))
    var domain: String

    @Option(help: ArgumentHelp("How far back: 30d, 12h, or a UTC date (2026-11-01).", valueName: "when"))
    var since = TimeWindow.defaultSince

    @Flag(help: "That name only, not its subdomains.")
    var exact = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("The daemon's state directory.", valueName: "dir"))
    var stateDir = "/var/lib/hostwatch"

    func run() throws {
        guard case .success(let normalized) = HostNormalizer.normalize(domain), normalized.kind == .name else {
            FileHandleStderr.write("hostwatch: '\(domain)' is not a valid domain name\n")
            throw ExitCode(2)
        }
        guard let sinceMillis = TimeWindow.sinceMillis(since, now: TimeWindow.nowMillis()) else {
            FileHandleStderr.write("hostwatch: --since must be \(TimeWindow.forms), not '\(since)'\n")
            throw ExitCode(2)
        }
        let path = stateDir + "/visits.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            FileHandleStderr.write("hostwatch: no visit index at \(path) (is the daemon's state_dir elsewhere? --state-dir)\n")
            throw ExitCode(2)
        }
        let report: VisitReport
        do {
            report = try VisitIndex(path: path, readOnly: true).visited(normalized.name, sinceMillis: sinceMillis, exact: exact)
        } catch {
            FileHandleStderr.write("hostwatch: \(path): \(error)\n")
            throw ExitCode(2)
        }
        print(json ? VisitReportText.json(report, sinceMillis: sinceMillis) : VisitReportText.table(report, sinceMillis: sinceMillis), terminator: "")
        if !report.visited { throw ExitCode(1) }
    }
}
