/// One entry of a matcher as it was added: for tools that work on the list itself (block files),
/// not for matching.
public struct MatcherListing {
    /// The canonical name; valid only during the callback.
    public var name: UnsafeRawBufferPointer
    public var isIP: Bool
    public var scope: MatchScope
    public var role: MatchRole
    /// The value the entry was added with (watch entries; 0 for allow entries).
    public var value: UInt32
}

/// The entries that sit on exactly one name.
public struct EntriesOnName: Sendable, Equatable {
    /// The value of the `name` (name and subdomains) watch entry, if there is one.
    public var domainWatch: UInt32?
    /// The value of the `=name` watch entry, if there is one.
    public var exactWatch: UInt32?
    public var domainAllow: Bool
    public var exactAllow: Bool
    /// Some entry lies strictly below this name.
    public var hasEntriesBelow: Bool

    public static let nothing = EntriesOnName(
        domainWatch: nil, exactWatch: nil, domainAllow: false, exactAllow: false, hasEntriesBelow: false)
}

extension HostMatcher {
    /// Calls `body` for every entry, in the order the names were first added.
    public func forEachEntry(_ body: (MatcherListing) throws -> Void) rethrows {
        for i in 0..<nodeCount {
            let entry = entries[i]
            let flags = entry.flags
            guard flags & HostMatcherBuilder.roleFlags != 0 else { continue }
            let name = UnsafeRawBufferPointer(start: names + Int(entry.nameOffset), count: Int(entry.nameLength))
            let isIP = flags & MatcherEntry.isIP != 0
            func emit(_ flag: UInt8, _ scope: MatchScope, _ role: MatchRole, _ value: UInt32) throws {
                if flags & flag != 0 {
                    try body(MatcherListing(name: name, isIP: isIP, scope: scope, role: role, value: value))
                }
            }
            try emit(MatcherEntry.suffixWatch, .domainAndSubdomains, .watch, entry.suffixValue)
            try emit(MatcherEntry.exactWatch, .exact, .watch, entry.exactValue)
            try emit(MatcherEntry.suffixAllow, .domainAndSubdomains, .allow, 0)
            try emit(MatcherEntry.exactAllow, .exact, .allow, 0)
        }
    }

    /// The entries on exactly `name` (canonical form), without looking at its parents.
    public func entries(onName name: UnsafeRawBufferPointer, kind: HostKind = .name) -> EntriesOnName {
        guard name.count > 0, let base = name.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return .nothing
        }
        let seed = kind == .name ? MatcherHash.nameSeed : MatcherHash.ipSeed
        guard let entry = find(MatcherHash.hash(base, count: name.count, seed: seed), base, name.count) else {
            return .nothing
        }
        let flags = entry.flags
        return EntriesOnName(
            domainWatch: flags & MatcherEntry.suffixWatch != 0 ? entry.suffixValue : nil,
            exactWatch: flags & MatcherEntry.exactWatch != 0 ? entry.exactValue : nil,
            domainAllow: flags & MatcherEntry.suffixAllow != 0,
            exactAllow: flags & MatcherEntry.exactAllow != 0,
            hasEntriesBelow: flags & MatcherEntry.hasChildren != 0)
    }
}
