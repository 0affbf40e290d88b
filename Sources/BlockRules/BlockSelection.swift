import DomainMatch
public import Watchlist

/// Which watch entries block files take.
public struct BlockSelection: Sendable {
    /// Entries without an `action` are blocked when their risk is at least this; `nil` = only
    /// entries with `action=block`.
    public var minRisk: Int?
    /// Every entry without `action=alert` is blocked (a feed of names to block, no metadata).
    public var allUnlessAlert: Bool
    /// Unix seconds: entries that expired by then are left out.
    public var now: Int64

    public init(minRisk: Int? = nil, allUnlessAlert: Bool = false, now: Int64 = currentUnixSeconds()) {
        self.minRisk = minRisk
        self.allUnlessAlert = allUnlessAlert
        self.now = now
    }
}

/// A watch entry that was selected for blocking but is never written, and why.
public struct BlockExclusion: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Block files hold names; IP entries are for the matcher only.
        case ipAddress
        /// The name failed the last check before writing (``BlockName``).
        case invalidName(String)
        /// `com`, `co.uk`, `github.io`…: blocking it would block everyone under it.
        case publicSuffix
        /// The entry is an allow entry, under one, or above one (the allow entry is given).
        case allowlisted(String)
    }

    public var rule: BlockRule
    public var reason: Reason

    public var description: String {
        switch reason {
        case .ipAddress: "\(rule): an IP address; block files hold names"
        case .invalidName(let why): "\(rule): not written: \(why)"
        case .publicSuffix: "\(rule): a public suffix (Public Suffix List); blocking it would block everyone under it"
        case .allowlisted(let allow):
            allow == rule.name
                ? "\(rule): also an allow entry; allow entries are never blocked"
                : rule.name.hasSuffix("." + allow)
                    ? "\(rule): under allow entry \(allow); allow entries are never blocked"
                    : "\(rule): above allow entry \(allow); blocking it would block an allowed name"
        }
    }
}

/// What selection did with the watchlist.
public struct SelectionReport: Sendable, Equatable {
    /// Entries chosen for blocking, excluded ones included.
    public var selected = 0
    /// Entries not marked for blocking (`action=alert`, or no action and below `min_risk`).
    public var notSelected = 0
    /// Entries that expired after the list was loaded.
    public var expired = 0
    /// Selected entries that are never written, each with why.
    public var excluded: [BlockExclusion] = []

    public init() {}
}

extension BlockSet {
    /// The entries of `watchlist` that block files take, after every guard: selected by
    /// action or risk, not expired, not an IP, a valid name, not a public suffix, and not an
    /// allow entry, under one or above one.
    public static func select(
        from watchlist: Watchlist, selection: BlockSelection, publicSuffixes: PublicSuffixList
    ) -> (BlockSet, SelectionReport) {
        var report = SelectionReport()
        let matcher = watchlist.matcher
        // Every name strictly above an allow entry, with that allow entry: blocking one of these
        // would block the allowed name too. Allow lists are short, so Strings are fine here.
        var aboveAllow: [String: String] = [:]
        matcher.forEachEntry { entry in
            guard entry.role == .allow, !entry.isIP else { return }
            let allow = String(decoding: entry.name, as: UTF8.self)
            for dot in 0..<entry.name.count where entry.name[dot] == 0x2E {
                let parent = String(decoding: entry.name[(dot + 1)...], as: UTF8.self)
                if aboveAllow[parent] == nil { aboveAllow[parent] = allow }
            }
        }
        var set = BlockSet()
        // Which domain entries made it into the set, by watch value: what covers what below.
        var keptDomain = [Bool](repeating: false, count: watchlist.watchCount)
        let hasAllow = watchlist.allowCount > 0
        matcher.forEachEntry { entry in
            guard entry.role == .watch else { return }
            let (risk, action) = watchlist.riskAndAction(for: entry.value)
            let wanted =
                switch action {
                case .block: true
                case .alert: false
                case .unspecified: selection.allUnlessAlert || selection.minRisk.map { (risk ?? -1) >= $0 } ?? false
                }
            guard wanted else {
                report.notSelected += 1
                return
            }
            if let expires = watchlist.expiry(for: entry.value), expires <= selection.now {
                report.expired += 1
                return
            }
            report.selected += 1
            func exclude(_ reason: BlockExclusion.Reason) {
                report.excluded.append(
                    BlockExclusion(rule: BlockRule(String(decoding: entry.name, as: UTF8.self), entry.scope), reason: reason))
            }
            if entry.isIP { return exclude(.ipAddress) }
            if let problem = BlockName.problem(entry.name) { return exclude(.invalidName(problem)) }
            if publicSuffixes.isPublicSuffix(entry.name) { return exclude(.publicSuffix) }
            if hasAllow {
                if let allow = allowEntry(atOrAbove: entry.name, in: matcher) { return exclude(.allowlisted(allow)) }
                if matcher.entries(onName: entry.name).hasEntriesBelow,
                    let allow = aboveAllow[String(decoding: entry.name, as: UTF8.self)]
                {
                    return exclude(.allowlisted(allow))
                }
            }
            set.append(entry.name, scope: entry.scope, risk: risk)
            if entry.scope == .domainAndSubdomains { keptDomain[Int(entry.value)] = true }
        }
        set.sort()
        set.markCoverage { name in
            guard let value = matcher.entries(onName: name).domainWatch else { return false }
            return keptDomain[Int(value)]
        }
        return (set, report)
    }

    /// The allow entry (either scope) on `name` or on one of its parents.
    static func allowEntry(atOrAbove name: UnsafeRawBufferPointer, in matcher: HostMatcher) -> String? {
        var start = 0
        while start < name.count {
            let suffix = UnsafeRawBufferPointer(rebasing: name[start...])
            let on = matcher.entries(onName: suffix)
            if on.domainAllow || on.exactAllow { return String(decoding: suffix, as: UTF8.self) }
            while start < name.count, name[start] != 0x2E { start += 1 }
            start += 1
        }
        return nil
    }
}
