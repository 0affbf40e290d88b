// hostwatch-bench: throughput and memory figures for the matcher, list loading and `scan`.
//
//     swift run -c release hostwatch-bench [--lines 2000000] [--skip-grep]
//
// Everything runs on one core (one thread) on data generated here with a fixed seed, so two
// runs on the same machine compare. Temporary files go to $TMPDIR (default /tmp) and are removed.

import Agent
import DomainMatch
import Foundation
import LogParsing
import Watchlist

#if canImport(Glibc)
import Glibc
#endif

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Options

var lineCount = 2_000_000
var runGrep = true
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--lines": lineCount = Int(arguments.popFirst() ?? "") ?? lineCount
    case "--skip-grep": runGrep = false
    default:
        print("usage: hostwatch-bench [--lines N] [--skip-grep]")
        exit(2)
    }
}

// MARK: - Data

var rng = SplitMix64(state: 0x686F_7374_7761_7463)  // "hostwatc"
let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
let tlds = ["com", "net", "org", "io", "info", "xyz", "de", "ru", "co.uk", "com.br", "online", "shop", "app", "top"]
let subdomains = ["www", "login", "secure", "mail", "cdn", "api", "account", "m", "static", "auth"]

@MainActor func randomLabel(_ length: ClosedRange<Int>) -> String {
    let n = Int.random(in: length, using: &rng)
    var bytes = (0..<n).map { _ in letters[Int.random(in: 0..<letters.count, using: &rng)] }
    // A hyphen inside some labels, as real phishing names have.
    if n > 6, Bool.random(using: &rng) { bytes[n / 2] = UInt8(ascii: "-") }
    return String(decoding: bytes, as: UTF8.self)
}

@MainActor func randomDomain() -> String {
    randomLabel(5...14) + "." + tlds.randomElement(using: &rng)!
}

/// A host of realistic depth: the domain, or one or two labels under it.
@MainActor func hostUnder(_ domain: String) -> String {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return domain
    case 1, 2: return subdomains.randomElement(using: &rng)! + "." + domain
    default: return randomLabel(2...8) + "." + subdomains.randomElement(using: &rng)! + "." + domain
    }
}

@MainActor func section(_ title: String) {
    print("\n== \(title)")
}

@MainActor func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

@MainActor func cpuNow() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

@MainActor func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

@MainActor func mega(_ value: Double) -> String { format(value / 1e6, 2) + " M" }

var verdicts: [(String, Bool)] = []
@MainActor func check(_ what: String, _ ok: Bool) {
    verdicts.append((what, ok))
}

print("hostwatch-bench: one thread, fixed seed; \(ProcessInfo.processInfo.processorCount) cores on this machine")
let t0 = now()
var domainSet = Set<String>()
var domains: [String] = []
domains.reserveCapacity(1_000_000)
while domains.count < 1_000_000 {
    let d = randomDomain()
    if domainSet.insert(d).inserted { domains.append(d) }
}
print("generated 1,000,000 watched domains in \(format(now() - t0)) s")

// MARK: - Matcher lookups

/// Hosts for lookups: `hitsPer100` of 100 under watched domains, the rest misses of the same shape.
@MainActor func lookupHosts(watched: ArraySlice<String>, count: Int, hitsPer100: Int) -> (bytes: [UInt8], ends: [Int]) {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for _ in 0..<count {
        let host: String
        if Int.random(in: 0..<100, using: &rng) < hitsPer100 {
            host = hostUnder(watched.randomElement(using: &rng)!)
        } else {
            var miss = randomDomain()
            while domainSet.contains(miss) { miss = randomDomain() }
            host = hostUnder(miss)
        }
        bytes.append(contentsOf: host.utf8)
        ends.append(bytes.count)
    }
    return (bytes, ends)
}

@MainActor func buildMatcher(_ names: ArraySlice<String>) -> HostMatcher {
    var builder = HostMatcherBuilder()
    for (i, name) in names.enumerated() {
        var bytes = Array(name.utf8)
        bytes.withUnsafeMutableBytes {
            _ = builder.add(UnsafeRawBufferPointer($0), kind: .name, scope: .domainAndSubdomains, role: .watch, value: UInt32(i))
        }
    }
    return builder.build()
}

section("matcher: lookups on one core (1M distinct hosts, already normalized, depth 2-4 labels)")
print("watched   hit share  lookups/s   ns/lookup  hits     index bytes/domain")
for size in [1_000, 100_000, 1_000_000] {
    let matcher = buildMatcher(domains[0..<size])
    let perDomain = Double(matcher.indexBytes) / Double(matcher.nameCount)
    // 1%: a proxy log, where visits to watched domains are rare; 25%: a stress mix.
    for hitsPer100 in [1, 25] {
        let hosts = lookupHosts(watched: domains[0..<size], count: 1_000_000, hitsPer100: hitsPer100)
        var hits = 0
        var best = Double.infinity
        for _ in 0..<3 {
            hits = 0
            let start = now()
            hosts.bytes.withUnsafeBytes { raw in
                var from = 0
                for end in hosts.ends {
                    if case .watched = matcher.match(UnsafeRawBufferPointer(rebasing: raw[from..<end]), kind: .name) {
                        hits += 1
                    }
                    from = end
                }
            }
            best = min(best, now() - start)
        }
        let rate = Double(hosts.ends.count) / best
        print(
            "\(String(size).padding(toLength: 8, withPad: " ", startingAt: 0))  \(String(hitsPer100).padding(toLength: 3, withPad: " ", startingAt: 0))%       "
                + "\(mega(rate).padding(toLength: 10, withPad: " ", startingAt: 0))  "
                + "\(format(1e9 / rate, 1).padding(toLength: 9, withPad: " ", startingAt: 0))  \(String(hits).padding(toLength: 7, withPad: " ", startingAt: 0))  "
                + "\(format(perDomain, 1)) (+8 metadata; names \(format(Double(matcher.nameBytes) / Double(matcher.nameCount), 1)))")
        if size == 1_000_000 {
            check("matcher ≥ 10 M lookups/s at 1M watched, \(hitsPer100)% hits (\(mega(rate)))", rate >= 10e6)
        }
    }
    if size == 1_000_000 {
        check("≤ 48 bytes per domain beyond the names (\(format(perDomain + 8, 1)) incl. metadata)", perDomain + 8 <= 48)
    }
}

// MARK: - Load + compile

let tmp = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/hostwatch-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: tmp) }

@MainActor func writeList(_ names: ArraySlice<String>, to path: String) throws {
    var text = "# generated by hostwatch-bench\n"
    text.reserveCapacity(names.count * 16)
    for name in names {
        text += name
        text += "\n"
    }
    try text.write(toFile: path, atomically: false, encoding: .utf8)
}

let list100k = tmp + "/watch-100k.txt"
let list1m = tmp + "/watch-1m.txt"
try writeList(domains[0..<100_000], to: list100k)
try writeList(domains[...], to: list1m)

section("watchlist: load + compile of a 1M-line list file (read, parse, normalize, build)")
var loadTimes: [Double] = []
var bigList: Watchlist = .empty
for _ in 0..<3 {
    let start = now()
    bigList = try Watchlist.load(watch: [list1m])
    loadTimes.append(now() - start)
}
print("entries \(bigList.watchCount); runs: \(loadTimes.map { format($0, 3) + " s" }.joined(separator: ", "))")
check("1M-domain load+compile ≤ 1 s (first run \(format(loadTimes[0], 3)) s)", loadTimes[0] <= 1.0)

// MARK: - Scan

section("scan: Squid native log, \(lineCount) lines, format given, hits to /dev/null")
let logPath = tmp + "/access.log"
do {
    let start = now()
    let fd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 21)
    // A realistic working set: 50k popular hosts, plus ~0.5% visits under watched domains.
    let popular = (0..<50_000).map { _ in
        var d = randomDomain()
        while domainSet.contains(d) { d = randomDomain() }
        return hostUnder(d)
    }
    let users = (0..<500).map { "user\($0)" }
    var time = 1_795_900_000_000
    for i in 0..<lineCount {
        time += Int.random(in: 0..<3, using: &rng)
        let host = Int.random(in: 0..<200, using: &rng) == 0
            ? hostUnder(domains[Int.random(in: 0..<100_000, using: &rng)])
            : popular[Int.random(in: 0..<popular.count, using: &rng)]
        let client = "10.\(i % 7).\(Int.random(in: 0..<256, using: &rng)).\(Int.random(in: 1..<255, using: &rng))"
        let user = Int.random(in: 0..<3, using: &rng) == 0 ? "-" : users[Int.random(in: 0..<users.count, using: &rng)]
        let elapsed = String(Int.random(in: 0..<5000, using: &rng))
        let padded = String(repeating: " ", count: max(0, 6 - elapsed.count)) + elapsed
        let line: String
        if Int.random(in: 0..<3, using: &rng) == 0 {
            line = "\(time / 1000).\(String(format: "%03d", time % 1000)) \(padded) \(client) TCP_TUNNEL/200 \(Int.random(in: 100..<90000, using: &rng)) CONNECT \(host):443 \(user) HIER_DIRECT/203.0.113.\(i % 250) -\n"
        } else {
            line = "\(time / 1000).\(String(format: "%03d", time % 1000)) \(padded) \(client) TCP_MISS/200 \(Int.random(in: 100..<90000, using: &rng)) GET http://\(host)/static/\(i % 977)/app.js?v=\(i % 13) \(user) HIER_DIRECT/203.0.113.\(i % 250) application/javascript\n"
        }
        buffer.append(contentsOf: line.utf8)
        if buffer.count >= 1 << 20 {
            _ = buffer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            buffer.removeAll(keepingCapacity: true)
        }
    }
    _ = buffer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    print("generated \(logPath) in \(format(now() - start)) s")
}
let logBytes = Double((try FileManager.default.attributesOfItem(atPath: logPath)[.size] as? NSNumber)?.intValue ?? 0)
print("log size \(format(logBytes / 1_048_576, 1)) MiB, \(format(logBytes / Double(lineCount), 1)) bytes/line")

print("watched   lines/s      MB/s     CPU s    wall s   hits")
for (label, path) in [("100k", list100k), ("1M", list1m)] {
    let watchlist = try Watchlist.load(watch: [path])
    var best: ScanReport?
    for _ in 0..<3 {
        let devNull = open("/dev/null", O_WRONLY)
        var output = OutputBuffer(fd: devNull, name: "/dev/null")
        let report = try Scan.run(
            paths: [logPath], watchlist: watchlist, options: ScanOptions(format: "squid", timeZone: .utc),
            output: &output)
        close(devNull)
        if best == nil || report.wallSeconds < best!.wallSeconds { best = report }
    }
    let report = best!
    let rate = Double(report.total.linesRead) / report.wallSeconds
    print(
        "\(label.padding(toLength: 8, withPad: " ", startingAt: 0))  \(mega(rate).padding(toLength: 11, withPad: " ", startingAt: 0))  "
            + "\(format(logBytes / 1_048_576 / report.wallSeconds, 0).padding(toLength: 7, withPad: " ", startingAt: 0))  "
            + "\(format(report.cpuSeconds, 3).padding(toLength: 7, withPad: " ", startingAt: 0))  "
            + "\(format(report.wallSeconds, 3).padding(toLength: 7, withPad: " ", startingAt: 0))  \(report.total.hits)")
    check("scan ≥ \(label == "1M" ? "2.5" : "3") M lines/s at \(label) watched (\(mega(rate)))", rate >= (label == "1M" ? 2.5e6 : 3e6))
}

// MARK: - grep, for comparison

if runGrep {
    section("grep -c -F -f LIST (what an analyst would type; substring matching, so also wrong)")
    for (label, path) in [("100k", list100k), ("1M", list1m)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["grep", "-c", "-F", "-f", path, logPath]
        process.environment = ["LC_ALL": "C", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        let start = now()
        try process.run()
        process.waitUntilExit()
        let wall = now() - start
        let count = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        print("\(label): \(mega(Double(lineCount) / wall)) lines/s, \(format(wall, 2)) s wall, \(count) matching lines")
    }
}

section("targets")
for (what, ok) in verdicts { print("\(ok ? "PASS" : "MISS")  \(what)") }
