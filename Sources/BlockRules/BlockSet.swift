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

/// The entries that go into block files, sorted by name, with what covers what.
///
/// Names live in one byte arena: a 1M-entry set is two arrays, not a million `String`s.
public struct BlockSet: Sendable {
    struct Entry: Sendable {
        var offset: UInt32
        var length: UInt8
        var scope: MatchScope
        /// A selected `name` entry strictly above this one blocks it already (in formats whose
        /// entries cover subdomains).
        var coveredByParent: Bool
        /// An exact entry with a selected `name` entry on the same name.
        var sameAsDomainEntry: Bool
        /// 0–100, 0xFF = none: the order an overflowing EDL keeps entries in.
        var risk: UInt8
    }

    var arena: [UInt8] = []
    var entries: [Entry] = []

    public init() {}

    /// Builds a set from rules (tests and tools); `risk` is unknown.
    public init(_ rules: [BlockRule]) {
        var builder = BlockSetBuilder()
        for rule in rules {
            var name = rule.name
            name.withUTF8 { builder.append(UnsafeRawBufferPointer($0), scope: rule.scope, risk: nil) }
        }
        self = builder.finish()
    }

    public var count: Int { entries.count }

    /// Every entry, covered ones included.
    public var rules: [BlockRule] {
        entries.map { entry in BlockRule(name(of: entry), entry.scope) }
    }

    func name(of entry: Entry) -> String {
        arena.withUnsafeBytes { String(decoding: $0[Int(entry.offset)..<(Int(entry.offset) + Int(entry.length))], as: UTF8.self) }
    }
}

/// Collects entries into a ``BlockSet``, then works out coverage and sorts.
struct BlockSetBuilder {
    var set = BlockSet()

    mutating func append(_ name: UnsafeRawBufferPointer, scope: MatchScope, risk: Int?) {
        set.entries.append(
            BlockSet.Entry(
                offset: UInt32(set.arena.count), length: UInt8(name.count), scope: scope, coveredByParent: false,
                sameAsDomainEntry: false, risk: risk.map(UInt8.init) ?? 0xFF))
        set.arena.append(contentsOf: name)
    }

    /// Marks coverage and sorts by name (a domain entry before an exact one on the same name).
    mutating func finish() -> BlockSet {
        var set = self.set
        let arena = set.arena
        arena.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            set.entries.sort { a, b in
                let order = compareNames(base + Int(a.offset), Int(a.length), base + Int(b.offset), Int(b.length))
                return order != 0 ? order < 0 : (a.scope == .domainAndSubdomains && b.scope == .exact)
            }
            // Coverage: the domain entries in a matcher-like table, then every entry's parents.
            var domains = HostMatcherBuilder()
            for entry in set.entries where entry.scope == .domainAndSubdomains {
                domains.add(
                    UnsafeRawBufferPointer(start: base + Int(entry.offset), count: Int(entry.length)), kind: .name,
                    scope: .domainAndSubdomains, role: .watch)
            }
            let table = domains.build()
            for i in set.entries.indices {
                let entry = set.entries[i]
                let name = UnsafeRawBufferPointer(start: base + Int(entry.offset), count: Int(entry.length))
                if entry.scope == .exact, table.entries(onName: name).domainWatch != nil {
                    set.entries[i].sameAsDomainEntry = true
                }
                for dot in 0..<name.count where name[dot] == 0x2E {
                    let parent = UnsafeRawBufferPointer(rebasing: name[(dot + 1)...])
                    if table.entries(onName: parent).domainWatch != nil {
                        set.entries[i].coveredByParent = true
                        break
                    }
                }
            }
        }
        return set
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
