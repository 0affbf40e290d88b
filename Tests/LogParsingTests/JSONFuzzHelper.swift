import LogParsing
import SeededRandom
import Testing


/// Bytes that matter to the JSON and Zeek parsers, favoured by the mutations.
private let interesting: [UInt8] = Array("\"\\{}[]:,\t #x0123456789.-+eEtfnu/@".utf8) + [0x00, 0x0A, 0xFF, 0xC3]

/// One mutation of `line`: byte flips, interesting bytes, cuts, duplicated or dropped slices,
/// splices with another seed, or random bytes.
private func mutate(_ line: [UInt8], other: [UInt8], rng: inout SplitMix64) -> [UInt8] {
    var bytes = line
    for _ in 0...rng.below(4) {
        switch rng.below(8) {
        case 0 where !bytes.isEmpty:
            bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 1 where !bytes.isEmpty:
            bytes[rng.below(bytes.count)] = interesting[rng.below(interesting.count)]
        case 2:
            bytes.insert(interesting[rng.below(interesting.count)], at: rng.below(bytes.count + 1))
        case 3 where !bytes.isEmpty:
            bytes.removeSubrange(rng.below(bytes.count)...)
        case 4 where bytes.count > 2:
            let a = rng.below(bytes.count)
            let b = min(bytes.count, a + 1 + rng.below(16))
            bytes.removeSubrange(a..<b)
        case 5 where bytes.count > 2:
            let a = rng.below(bytes.count)
            let b = min(bytes.count, a + 1 + rng.below(24))
            bytes.insert(contentsOf: bytes[a..<b], at: rng.below(bytes.count + 1))
        case 6:
            let cut = rng.below(bytes.count + 1)
            bytes = Array(bytes[..<cut]) + other[rng.below(other.count + 1)...]
        default:
            bytes = (0..<rng.below(64)).map { _ in interesting[rng.below(interesting.count)] }
        }
    }
    return bytes
}

/// Feeds `lines` lines to `parser`: the seeds in order, each kept (a third of the time) or
/// mutated. Checks every outcome: a visit's ranges lie inside the bytes they index and its host
/// is not empty. Returns how many lines were visits and how many skips.
func fuzzLines<P: LogParser>(_ parser: inout P, seeds: [String], lines: Int, seed: UInt64) -> (visits: Int, skips: Int) {
    var rng = SplitMix64(state: seed)
    let seedBytes = seeds.map { Array($0.utf8) }
    var visits = 0
    var skips = 0
    var badVisits: [String] = []
    var event = LogEvent()
    for n in 0..<lines {
        let original = seedBytes[n % seedBytes.count]
        var line =
            rng.below(3) == 0
            ? original : mutate(original, other: seedBytes[rng.below(seedBytes.count)], rng: &rng)
        line.withUnsafeMutableBytes { raw in
            let bytes = UnsafeRawBufferPointer(raw)
            event.reset()
            switch parser.parse(bytes, into: &event) {
            case nil:
                visits += 1
                let text = event.bytes(bytes)
                func inside(_ r: Range<Int>?) -> Bool { r.map { $0.lowerBound >= 0 && $0.upperBound <= text.count } ?? true }
                let ok =
                    !event.host.isEmpty && inside(event.host) && inside(event.client) && inside(event.user)
                    && inside(event.method) && inside(event.url) && inside(event.status) && inside(event.action)
                    && inside(event.qtype) && inside(event.rcode)
                if !ok, badVisits.count < 3 { badVisits.append(String(decoding: bytes, as: UTF8.self)) }
            case .some:
                skips += 1
            }
        }
    }
    #expect(badVisits.isEmpty, "visits with an empty host or a range outside the text: \(badVisits)")
    return (visits, skips)
}

/// The first lines of the fixtures of the line formats, for sniffing tests (those present;
/// scored with `sniffScore` of the delimited formats' test support).
func otherFormatsFirstLines() throws -> [String: [String]] {
    var result: [String: [String]] = [:]
    for name in [
        "squid-access.log", "squid-access-combined.log", "bind-query.log", "unbound.log", "dnsmasq.log", "coredns.log",
        "csv.log", "tsv.log", "umbrella.log", "w3c.log", "windows-dns.log", "json.log", "zeek.log", "zeek-json.log",
        "suricata.log", "zscaler-json.log",
    ] {
        if let lines = try? fixtureLines(name) { result[name] = Array(lines.prefix(20)) }
    }
    return result
}
