import DomainMatch
import Testing
import SeededRandom


struct Rule: Hashable {
    var name: String
    var scope: MatchScope
    var role: MatchRole
    var value: UInt32
}

func buildMatcher(_ rules: [Rule]) -> HostMatcher {
    var builder = HostMatcherBuilder()
    for rule in rules {
        let kind: HostKind = rule.name.contains(":") ? .ipv6 : (rule.name.allSatisfy { $0.isNumber || $0 == "." } ? .ipv4 : .name)
        var bytes = Array(rule.name.utf8)
        bytes.withUnsafeMutableBytes {
            _ = builder.add(UnsafeRawBufferPointer($0), kind: kind, scope: rule.scope, role: rule.role, value: rule.value)
        }
    }
    return builder.build()
}

/// The semantics spelled out the slow way: every rule covering the host is collected; the deepest
/// level decides; at one level allow beats watch and an exact watch beats a subdomain watch.
func referenceMatch(_ host: String, _ rules: [Rule]) -> HostMatch {
    var bestLength = -1
    var result = HostMatch.none
    var bestIsExactWatch = false
    for rule in rules {
        let covers =
            rule.name == host || (rule.scope == .domainAndSubdomains && host.hasSuffix("." + rule.name))
        guard covers else { continue }
        let length = rule.name.utf8.count
        if length < bestLength { continue }
        if length > bestLength {
            bestLength = length
            bestIsExactWatch = false
            result = .none
        }
        switch rule.role {
        case .allow:
            result = .allowed
        case .watch:
            if case .allowed = result { continue }
            if rule.scope == .exact {
                result = .watched(value: rule.value, nameLength: length)
                bestIsExactWatch = true
            } else if !bestIsExactWatch {
                result = .watched(value: rule.value, nameLength: length)
            }
        }
    }
    return result
}

/// The same semantics through per-suffix dictionary lookups over `String`s: fast enough for 100k × 100k.
struct DictionaryReference {
    var byName: [String: [Rule]] = [:]
    init(_ rules: [Rule]) {
        for rule in rules { byName[rule.name, default: []].append(rule) }
    }
    func match(_ host: String) -> HostMatch {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        var candidates: [Rule] = []
        for start in labels.indices {
            let suffix = labels[start...].joined(separator: ".")
            candidates += byName[suffix] ?? []
        }
        return referenceMatch(host, candidates)
    }
}

@Suite("HostMatcher")
struct HostMatcherTests {
    let rules = [
        Rule(name: "evil.com", scope: .domainAndSubdomains, role: .watch, value: 1),
        Rule(name: "login.example.net", scope: .exact, role: .watch, value: 2),
        Rule(name: "good.evil.com", scope: .domainAndSubdomains, role: .allow, value: 0),
        Rule(name: "corp.com", scope: .domainAndSubdomains, role: .allow, value: 0),
        Rule(name: "hacked.corp.com", scope: .domainAndSubdomains, role: .watch, value: 3),
        Rule(name: "both.org", scope: .domainAndSubdomains, role: .watch, value: 4),
        Rule(name: "both.org", scope: .exact, role: .watch, value: 5),
        Rule(name: "203.0.113.7", scope: .exact, role: .watch, value: 6),
        Rule(name: "2001:db8::1", scope: .exact, role: .watch, value: 7),
        Rule(name: "same.net", scope: .domainAndSubdomains, role: .watch, value: 8),
        Rule(name: "same.net", scope: .domainAndSubdomains, role: .allow, value: 0),
    ]

    @Test(arguments: [
        ("evil.com", HostMatch.watched(value: 1, nameLength: 8)),
        ("login.evil.com", .watched(value: 1, nameLength: 8)),
        ("a.b.c.evil.com", .watched(value: 1, nameLength: 8)),
        ("notevil.com", .none),
        ("evil.com.example.org", .none),
        ("com", .none),
        ("good.evil.com", .allowed),
        ("x.good.evil.com", .allowed),
        ("login.example.net", .watched(value: 2, nameLength: 17)),
        ("a.login.example.net", .none),
        ("example.net", .none),
        ("corp.com", .allowed),
        ("hacked.corp.com", .watched(value: 3, nameLength: 15)),
        ("www.hacked.corp.com", .watched(value: 3, nameLength: 15)),
        ("both.org", .watched(value: 5, nameLength: 8)),
        ("www.both.org", .watched(value: 4, nameLength: 8)),
        ("same.net", .allowed),
        ("x.same.net", .allowed),
    ])
    func semantics(host: String, expected: HostMatch) {
        let matcher = buildMatcher(rules)
        #expect(matcher.match(host) == expected)
        #expect(referenceMatch(host, rules) == expected)
    }

    @Test func ipEntriesMatchOnlyIPHosts() {
        let matcher = buildMatcher(rules)
        #expect(matcher.match("203.0.113.7") == .watched(value: 6, nameLength: 11))
        #expect(matcher.match("[2001:DB8:0::1]:443") == .watched(value: 7, nameLength: 11))
        #expect(matcher.match("203.0.113.8") == .none)
        // An IP-looking name entry never matches a hostname label sequence, and vice versa.
        var builder = HostMatcherBuilder()
        var name = Array("7.evil.com".utf8)
        name.withUnsafeMutableBytes {
            _ = builder.add(UnsafeRawBufferPointer($0), kind: .name, scope: .domainAndSubdomains, role: .watch, value: 9)
        }
        #expect(builder.build().match("203.0.113.7") == .none)
    }

    @Test func duplicatesKeepTheFirstValue() {
        var builder = HostMatcherBuilder()
        var name = Array("evil.com".utf8)
        name.withUnsafeMutableBytes { raw in
            let bytes = UnsafeRawBufferPointer(raw)
            #expect(builder.add(bytes, kind: .name, scope: .domainAndSubdomains, role: .watch, value: 1) == .added)
            #expect(
                builder.add(bytes, kind: .name, scope: .domainAndSubdomains, role: .watch, value: 2)
                    == .duplicate(firstValue: 1))
            #expect(builder.add(bytes, kind: .name, scope: .exact, role: .watch, value: 3) == .added)
        }
        let matcher = builder.build()
        #expect(matcher.nameCount == 1)
        #expect(matcher.match("evil.com") == .watched(value: 3, nameLength: 8))
        #expect(matcher.match("x.evil.com") == .watched(value: 1, nameLength: 8))
    }

    @Test func emptyMatcherMatchesNothing() {
        let matcher = HostMatcherBuilder().build()
        #expect(matcher.match("evil.com") == .none)
        #expect(matcher.match("1.2.3.4") == .none)
    }

    /// Random names from a small label alphabet, so entries nest and collide often.
    static func randomName(_ rng: inout SplitMix64, depth: ClosedRange<Int>) -> String {
        let labels = ["a", "b", "c", "ab", "ba", "x-y", "evil", "com", "net", "9z", "_s", "login", "a1", "zz"]
        let count = Int.random(in: depth, using: &rng)
        return (0..<count).map { _ in labels.randomElement(using: &rng)! }.joined(separator: ".")
    }

    static func randomRules(_ rng: inout SplitMix64, count: Int) -> [Rule] {
        (0..<count).map { i in
            let roll = UInt8.random(in: 0..<10, using: &rng)
            return Rule(
                name: randomName(&rng, depth: 2...5),
                scope: roll < 3 ? .exact : .domainAndSubdomains,
                role: roll == 9 || roll == 2 ? .allow : .watch,
                value: UInt32(i))
        }
    }

    /// First registration of a (name, scope, role) wins, as in the builder.
    static func deduplicated(_ rules: [Rule]) -> [Rule] {
        struct Key: Hashable { var name: String; var exact: Bool; var allow: Bool }
        var seen = Set<Key>()
        return rules.filter { seen.insert(Key(name: $0.name, exact: $0.scope == .exact, allow: $0.role == .allow)).inserted }
    }

    @Test func dictionaryReferenceAgreesWithLinearScan() {
        var rng = SplitMix64(state: 7)
        let rules = Self.deduplicated(Self.randomRules(&rng, count: 2_000))
        let reference = DictionaryReference(rules)
        for _ in 0..<3_000 {
            let host = Self.randomName(&rng, depth: 1...7)
            #expect(reference.match(host) == referenceMatch(host, rules), "\(host)")
        }
    }

    @Test func agreesWithReferenceOn100kRandomHostsAndEntries() {
        var rng = SplitMix64(state: 42)
        let rules = Self.deduplicated(Self.randomRules(&rng, count: 100_000))
        let matcher = buildMatcher(rules)
        let reference = DictionaryReference(rules)
        var mismatches = 0
        var watched = 0
        var allowed = 0
        for _ in 0..<100_000 {
            let host = Self.randomName(&rng, depth: 1...7)
            let expected = reference.match(host)
            let got = matcher.match(host)
            if got != expected {
                mismatches += 1
                if mismatches < 5 { Issue.record("\(host): expected \(expected), got \(got)") }
            }
            if case .watched = expected { watched += 1 }
            if case .allowed = expected { allowed += 1 }
        }
        #expect(mismatches == 0)
        // The generator must exercise every outcome, or the comparison proves little.
        #expect(watched > 10_000)
        #expect(allowed > 1_000)
        #expect(100_000 - watched - allowed > 10_000)
    }

    @Test func indexBytesPerNameStayUnderBudget() {
        var rng = SplitMix64(state: 3)
        var builder = HostMatcherBuilder()
        for i in 0..<100_000 {
            var name = Array("d\(i)-\(UInt32.random(in: 0...UInt32.max, using: &rng)).example.com".utf8)
            name.withUnsafeMutableBytes {
                _ = builder.add(UnsafeRawBufferPointer($0), kind: .name, scope: .domainAndSubdomains, role: .watch)
            }
        }
        let matcher = builder.build()
        #expect(matcher.nameCount == 100_000)
        #expect(matcher.indexBytes / matcher.nameCount <= 48)
    }
}

@Suite("HostMatchCache")
struct HostMatchCacheTests {
    /// The answer with the cache, and the canonical host when the answer says there is one.
    static func answer(_ raw: String, _ cache: inout HostMatchCache, _ matcher: HostMatcher) -> (HostAnswer, String?) {
        var bytes = Array(raw.utf8)
        return bytes.withUnsafeMutableBytes { input in
            withUnsafeTemporaryAllocation(byteCount: HostNormalizer.outputCapacity, alignment: 8) { scratch in
                let answer = cache.answer(UnsafeRawBufferPointer(input), in: matcher, scratch: scratch)
                if case .watched(_, _, let host) = answer {
                    return (answer, String(decoding: scratch[0..<host.count], as: UTF8.self))
                }
                return (answer, nil)
            }
        }
    }

    static func uncached(_ raw: String, _ matcher: HostMatcher) -> HostAnswer {
        var bytes = Array(raw.utf8)
        return bytes.withUnsafeMutableBytes { input in
            withUnsafeTemporaryAllocation(byteCount: HostNormalizer.outputCapacity, alignment: 8) { scratch in
                HostMatchCache.workOut(UnsafeRawBufferPointer(input), matcher: matcher, scratch: scratch)
            }
        }
    }

    @Test func answersExactlyAsNormalizeThenMatchOnRepeatedAndCollidingHosts() {
        var rng = SplitMix64(state: 99)
        let rules = HostMatcherTests.deduplicated(HostMatcherTests.randomRules(&rng, count: 20_000))
        let matcher = buildMatcher(rules)
        // 5,000 distinct raw hosts (more than the 2,048 slots, so slots are overwritten), as logs
        // write them: any case, ports, trailing dots, some invalid; each seen about 20 times.
        let hosts = (0..<5_000).map { i -> String in
            var host = HostMatcherTests.randomName(&rng, depth: 1...7)
            if i % 3 == 0 { host = host.uppercased() }
            if i % 5 == 0 { host += ":443" }
            if i % 7 == 0 { host += "." }
            if i % 11 == 0 { host += ";x" }
            return host
        }
        var cache = HostMatchCache()
        var mismatches = 0
        var watchedHostsChecked = 0
        for _ in 0..<100_000 {
            let host = hosts.randomElement(using: &rng)!
            let (cached, canonical) = Self.answer(host, &cache, matcher)
            if cached != Self.uncached(host, matcher) { mismatches += 1 }
            if case .watched = cached {
                // Even when remembered, a watched answer comes with its canonical bytes.
                let expected = try? HostNormalizer.normalize(host).get().name
                if canonical != expected { mismatches += 1 }
                watchedHostsChecked += 1
            }
        }
        #expect(mismatches == 0)
        #expect(watchedHostsChecked > 10_000)
        #expect(cache.hits > 30_000)
        #expect(cache.misses > 5_000)
    }

    @Test func aNewMatcherEmptiesTheCache() {
        let watching = buildMatcher([Rule(name: "evil.com", scope: .domainAndSubdomains, role: .watch, value: 1)])
        let empty = HostMatcherBuilder().build()
        var cache = HostMatchCache()
        let host = NormalizedHost(kind: .name, count: 14)
        #expect(Self.answer("Login.Evil.com", &cache, watching).0 == .watched(value: 1, nameLength: 8, host: host))
        #expect(Self.answer("Login.Evil.com", &cache, watching).0 == .watched(value: 1, nameLength: 8, host: host))
        #expect(Self.answer("Login.Evil.com", &cache, empty).0 == .unwatched(host))
        #expect(cache.hits == 1)
        #expect(cache.misses == 2)
    }

    @Test func longHostsAreNotCached() {
        let long = String(repeating: "a", count: 60) + ".evil.com"
        let matcher = buildMatcher([Rule(name: "evil.com", scope: .domainAndSubdomains, role: .watch, value: 1)])
        var cache = HostMatchCache()
        for _ in 0..<3 {
            let (answer, canonical) = Self.answer(long, &cache, matcher)
            #expect(answer == .watched(value: 1, nameLength: 8, host: NormalizedHost(kind: .name, count: 69)))
            #expect(canonical == long)
        }
        #expect(cache.hits == 0)
    }
}
