public import DomainMatch

/// One name as a block file blocks it.
public struct BlockRule: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var name: String
    public var scope: MatchScope

    public init(_ name: String, _ scope: MatchScope = .domainAndSubdomains) {
        self.name = name
        self.scope = scope
    }

    public static func < (a: BlockRule, b: BlockRule) -> Bool {
        a.name != b.name ? a.name.utf8.lexicographicallyPrecedes(b.name.utf8) : (a.scope == .domainAndSubdomains && b.scope == .exact)
    }

    /// `evil.com` (with subdomains) or `=host.evil.com`, as in a watchlist.
    public var description: String { scope == .exact ? "=\(name)" : name }
}

/// A sorted list of block entries, with what covers what.
///
/// Names live in one byte arena: a 1M-entry set is two arrays, not a million `String`s.
public struct BlockSet: Sendable {
    struct Entry: Sendable {
        /// The name's first 8 bytes, big-endian: most comparisons end here.
        var prefix: UInt64
        var offset: UInt32
        var length: UInt8
        var scope: MatchScope
        /// A selected `name` entry strictly above this one blocks it already (in formats whose
        /// entries cover subdomains).
        var coveredByParent = false
        /// An exact entry with a selected `name` entry on the same name.
        var sameAsDomainEntry = false
        /// 0–100, 0xFF = none: the order an overflowing EDL keeps entries in.
        var risk: UInt8
    }

    var arena: [UInt8] = []
    var entries: [Entry] = []

    public init() {}

    /// Builds a set from rules (tests and tools); `risk` is unknown.
    public init(_ rules: [BlockRule]) {
        for rule in rules {
            var name = rule.name
            name.withUTF8 { append(UnsafeRawBufferPointer($0), scope: rule.scope, risk: nil) }
        }
        sort()
        markCoverageAmongEntries()
    }

    public var count: Int { entries.count }

    /// Every entry, covered ones included.
    public var rules: [BlockRule] {
        entries.map { entry in BlockRule(name(of: entry), entry.scope) }
    }

    func name(of entry: Entry) -> String {
        arena.withUnsafeBytes { String(decoding: $0[Int(entry.offset)..<(Int(entry.offset) + Int(entry.length))], as: UTF8.self) }
    }

    mutating func append(_ name: UnsafeRawBufferPointer, scope: MatchScope, risk: Int?) {
        var prefix: UInt64 = 0
        for i in 0..<8 { prefix = prefix << 8 | UInt64(i < name.count ? name[i] : 0) }
        entries.append(
            Entry(prefix: prefix, offset: UInt32(arena.count), length: UInt8(name.count), scope: scope, risk: risk.map(UInt8.init) ?? 0xFF))
        arena.append(contentsOf: name)
    }

    /// Sorts by name bytes, a domain entry before an exact one on the same name.
    mutating func sort() {
        let arena = self.arena
        arena.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            entries.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                let order = compareNames(base + Int(a.offset), Int(a.length), base + Int(b.offset), Int(b.length))
                return order != 0 ? order < 0 : (a.scope == .domainAndSubdomains && b.scope == .exact)
            }
        }
    }

    /// Merges neighbours with the same name (after ``sort()``): a domain entry absorbs an exact one.
    mutating func mergeSameNames() {
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        arena.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            for entry in entries {
                if let last = kept.last, last.prefix == entry.prefix,
                    compareNames(base + Int(last.offset), Int(last.length), base + Int(entry.offset), Int(entry.length)) == 0
                {
                    continue
                }
                kept.append(entry)
            }
        }
        entries = kept
    }

    /// Coverage from the entries themselves (sets built from rules; small).
    mutating func markCoverageAmongEntries() {
        var domains = HostMatcherBuilder()
        arena.withUnsafeBytes { bytes in
            for entry in entries where entry.scope == .domainAndSubdomains {
                domains.add(
                    UnsafeRawBufferPointer(rebasing: bytes[Int(entry.offset)..<(Int(entry.offset) + Int(entry.length))]),
                    kind: .name, scope: .domainAndSubdomains, role: .watch)
            }
        }
        let table = domains.build()
        markCoverage { table.entries(onName: $0).domainWatch != nil }
    }

    /// Marks entries that a domain entry on the same name or above covers; `isDomainEntry`
    /// says whether a name carries a domain entry of this set.
    mutating func markCoverage(_ isDomainEntry: (UnsafeRawBufferPointer) -> Bool) {
        let arena = self.arena
        arena.withUnsafeBytes { bytes in
            for i in entries.indices {
                let entry = entries[i]
                let name = UnsafeRawBufferPointer(rebasing: bytes[Int(entry.offset)..<(Int(entry.offset) + Int(entry.length))])
                if entry.scope == .exact, isDomainEntry(name) { entries[i].sameAsDomainEntry = true }
                for dot in 0..<name.count where name[dot] == 0x2E {
                    if isDomainEntry(UnsafeRawBufferPointer(rebasing: name[(dot + 1)...])) {
                        entries[i].coveredByParent = true
                        break
                    }
                }
            }
        }
    }

    /// The rules in `new` and not in `old`, and the other way round (both sorted and merged).
    static func difference(old: BlockSet, new: BlockSet) -> (added: [BlockRule], removed: [BlockRule]) {
        var added: [BlockRule] = []
        var removed: [BlockRule] = []
        old.arena.withUnsafeBytes { oldBytes in
            new.arena.withUnsafeBytes { newBytes in
                let oldBase = oldBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
                let newBase = newBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
                var i = 0
                var j = 0
                while i < old.entries.count || j < new.entries.count {
                    var order = 0
                    if i == old.entries.count {
                        order = 1
                    } else if j == new.entries.count {
                        order = -1
                    } else {
                        let a = old.entries[i]
                        let b = new.entries[j]
                        if a.prefix != b.prefix {
                            order = a.prefix < b.prefix ? -1 : 1
                        } else {
                            order = compareNames(oldBase! + Int(a.offset), Int(a.length), newBase! + Int(b.offset), Int(b.length))
                            if order == 0, a.scope != b.scope { order = a.scope == .domainAndSubdomains ? -1 : 1 }
                        }
                    }
                    if order < 0 {
                        removed.append(BlockRule(old.name(of: old.entries[i]), old.entries[i].scope))
                        i += 1
                    } else if order > 0 {
                        added.append(BlockRule(new.name(of: new.entries[j]), new.entries[j].scope))
                        j += 1
                    } else {
                        i += 1
                        j += 1
                    }
                }
            }
        }
        return (added, removed)
    }
}

/// Byte order of two names: negative, zero or positive.
@inline(__always)
func compareNames(_ a: UnsafePointer<UInt8>, _ aCount: Int, _ b: UnsafePointer<UInt8>, _ bCount: Int) -> Int {
    let common = min(aCount, bCount)
    var i = 0
    while i < common {
        if a[i] != b[i] { return Int(a[i]) - Int(b[i]) }
        i += 1
    }
    return aCount - bCount
}
