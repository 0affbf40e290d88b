public import BlockRules
public import Watchlist

/// One block file to keep current: a `[[blocklist]]` section, or one `hostwatch blocklist` run.
public struct BlocklistSpec: Sendable, Equatable {
    public var target: BlockTarget
    /// Which watch entries it takes (see ``BlockSelection``); `now` is filled in per run.
    public var minRisk: Int?
    public var allUnlessAlert: Bool

    public init(target: BlockTarget, minRisk: Int? = nil, allUnlessAlert: Bool = false) {
        self.target = target
        self.minRisk = minRisk
        self.allUnlessAlert = allUnlessAlert
    }
}

/// What one publication did, with the lines that tell an operator about it.
public struct BlocklistOutcome: Sendable {
    public var spec: BlocklistSpec
    public var result: PublishResult?
    public var error: BlockRulesError?
    public var selection: SelectionReport
    /// A summary line, then one line per entry left out (capped), for logs and the CLI.
    public var lines: [String]

    /// Entries that were selected but are not in the file (guards and format limits).
    public var leftOut: Int {
        selection.excluded.count
            + (result.map { $0.render.notExpressible.count + $0.render.overflowCount } ?? 0)
    }
}

/// Renders and publishes block files from a loaded watchlist (the CLI and the daemon share it).
public enum BlocklistWriter {
    /// At most this many left-out entries are listed one per line; the rest are counted.
    public static let maxListed = 50

    public static func publish(
        _ spec: BlocklistSpec, watchlist: Watchlist, publicSuffixes: PublicSuffixList, mode: PublishMode = .publish,
        force: Bool = false, now: Int64 = currentUnixSeconds()
    ) -> BlocklistOutcome {
        let selection = BlockSelection(minRisk: spec.minRisk, allUnlessAlert: spec.allUnlessAlert, now: now)
        let (set, report) = BlockSet.select(from: watchlist, selection: selection, publicSuffixes: publicSuffixes)
        var outcome = BlocklistOutcome(spec: spec, result: nil, error: nil, selection: report, lines: [])
        let name = "\(spec.target.format.rawValue) \(spec.target.path)"
        do {
            let result = try BlockPublisher.publish(set, to: spec.target, mode: mode, force: force, now: now)
            outcome.result = result
            let change = "+\(result.diff.added.count) -\(result.diff.removed.count)"
            let what: String =
                switch result.outcome {
                case .published: "published \(result.count) entries (\(change), was \(result.previousCount))"
                case .unchanged: "unchanged, \(result.count) entries"
                case .checked: "checked: \(result.count) entries (\(change)) pass; nothing replaced"
                case .diffed: "would change \(change): \(result.previousCount) → \(result.count) entries"
                }
            outcome.lines.append("\(name): \(what)" + details(report, result.render))
        } catch {
            outcome.error = error
            outcome.lines.append("\(name): FAILED: \(error.description)" + details(report, nil))
        }
        var listed: [String] = report.excluded.map(\.description)
        if let render = outcome.result?.render {
            listed += render.notExpressible.map {
                "\($0): too long for the RPZ zone once '.\(spec.target.options.rpzZone)' is appended; left out"
            }
            listed += render.answeredNXDOMAIN.map { "\($0): has '_', which named refuses address records for; answers NXDOMAIN" }
            listed += render.overflow.map { "\($0): over the EDL limit of \(spec.target.options.edlMaxLines) lines; left out (lowest risk first)" }
        }
        let unlisted = outcome.result.map { $0.render.overflowCount - $0.render.overflow.count } ?? 0
        for line in listed.prefix(maxListed) { outcome.lines.append("  " + line) }
        if listed.count + unlisted > maxListed { outcome.lines.append("  … and \(listed.count + unlisted - maxListed) more") }
        if mode == .diff, let diff = outcome.result?.diff {
            outcome.lines += diff.added.map { "+ \($0)" } + diff.removed.map { "- \($0)" }
        }
        return outcome
    }

    public static func details(_ selection: SelectionReport, _ render: RenderReport?) -> String {
        var parts: [String] = []
        if let render, render.covered > 0 { parts.append("\(render.covered) covered by a parent entry") }
        if !selection.excluded.isEmpty { parts.append("\(selection.excluded.count) refused by the guards") }
        if let render, !render.notExpressible.isEmpty { parts.append("\(render.notExpressible.count) not expressible") }
        if let render, render.overflowCount > 0 { parts.append("\(render.overflowCount) over the size limit") }
        if selection.expired > 0 { parts.append("\(selection.expired) expired") }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: ", ")
    }
}
