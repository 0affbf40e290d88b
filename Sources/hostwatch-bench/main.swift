// hostwatch-bench: throughput and memory figures for the matcher, list loading and `scan`.
//
//     swift run -c release hostwatch-bench [--lines 2000000] [--skip-grep] [--only-blocklists]
//
// Everything runs on one core (one thread) on data generated here with a fixed seed, so two
// runs on the same machine compare. Temporary files go to $TMPDIR (default /tmp) and are removed.

import Agent
import BlockRules
import DomainMatch
import Foundation
import LogParsing
import Watchlist

#if canImport(Glibc)
import Glibc
import SeededRandom
#endif


// MARK: - Options

var lineCount = 2_000_000
var runGrep = true
var chunkBytes = 256 << 10
var onlyBlocklists = false
var onlyIndex = false
var indexDays = 3
var indexLinesPerDay = 1_000_000
var indexBurst = 4
var indexQueryOnly = false
var indexUniqueHosts = false
var onlyParsers = false
var parserLines = 1_000_000
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--lines": lineCount = Int(arguments.popFirst() ?? "") ?? lineCount
    case "--skip-grep": runGrep = false
    case "--chunk-kib": chunkBytes = (Int(arguments.popFirst() ?? "") ?? 256) << 10
    case "--only-blocklists": onlyBlocklists = true
    case "--only-index": onlyIndex = true
    case "--index-days": indexDays = Int(arguments.popFirst() ?? "") ?? indexDays
    case "--index-lines-per-day": indexLinesPerDay = Int(arguments.popFirst() ?? "") ?? indexLinesPerDay
    case "--index-query-only": indexQueryOnly = true
    case "--index-unique-hosts": indexUniqueHosts = true
    case "--index-burst": indexBurst = max(1, Int(arguments.popFirst() ?? "") ?? indexBurst)
    case "--only-parsers": onlyParsers = true
    case "--parser-lines": parserLines = max(1, Int(arguments.popFirst() ?? "") ?? parserLines)
    default:
        print("usage: hostwatch-bench [--lines N] [--skip-grep] [--chunk-kib N] [--only-blocklists] [--only-index [--index-days N] [--index-lines-per-day N] [--index-burst N] [--index-query-only] [--index-unique-hosts]] [--only-parsers [--parser-lines N]]")
        exit(2)
    }
}

if onlyParsers {
    let loaded = ParserCatalog.load(directory: "parsers")
    for problem in loaded.problems { print("parsers/: \(problem)") }
    // The Squid regex once more without the JIT, as it runs where the JIT is not allowed
    // (systemd's MemoryDenyWriteExecute=yes).
    var definitions = loaded.catalog.definitions
    if var noJIT = loaded.catalog.definition("squid-native-regex") {
        noJIT = try ParserDefinition(
            id: "squid-native-regex-nojit", kind: noJIT.kind, regex: "(*NO_JIT)" + noJIT.regex.pattern,
            timeFormat: noJIT.timeFormat.spec, file: noJIT.file)
        definitions.append(noJIT)
    }
    try ParserBench(lines: parserLines, catalog: ParserCatalog(definitions: definitions)).run()
    exit(0)
}

if onlyIndex {
    let dir = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/hostwatch-bench-index"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try runIndexBench(days: indexDays, linesPerDay: indexLinesPerDay, burst: indexBurst, directory: dir, queryOnly: indexQueryOnly, uniqueHosts: indexUniqueHosts)
    exit(0)
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

/// Draws ranks 0..<count with probability proportional to 1/(rank+1): web and DNS traffic
/// concentrates on few hosts in about this way.
struct Zipf {
    let cumulative: [Double]
    init(count: Int) {
        var sum = 0.0
        cumulative = (0..<count).map { rank in
            sum += 1.0 / Double(rank + 1)
            return sum
        }
    }
    func next(_ rng: inout SplitMix64) -> Int {
        let target = Double.random(in: 0..<cumulative.last!, using: &rng)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// `count` distinct hosts that are not under any watched domain.
@MainActor func missHosts(_ count: Int) -> [String] {
    (0..<count).map { _ in
        var d = randomDomain()
        while domainSet.contains(d) { d = randomDomain() }
        return hostUnder(d)
    }
}

// MARK: - Matcher lookups

/// The two lookup mixes: `logLike` draws 1M lookups from a pool of 100k distinct hosts by a
/// Zipf law, 1% of them under watched domains (drawn uniformly, so hits are cold); `stress` is
/// 1M distinct hosts, a quarter under watched domains, no repetition at all.
@MainActor func lookupHosts(watched: ArraySlice<String>, logLike: Bool) -> (bytes: [UInt8], ends: [Int]) {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    let pool = logLike ? missHosts(100_000) : []
    let zipf = Zipf(count: max(pool.count, 1))
    for _ in 0..<1_000_000 {
        let host: String
        if logLike {
            host = Int.random(in: 0..<100, using: &rng) == 0
                ? hostUnder(watched.randomElement(using: &rng)!) : pool[zipf.next(&rng)]
        } else {
            host = Int.random(in: 0..<4, using: &rng) == 0
                ? hostUnder(watched.randomElement(using: &rng)!) : missHosts(1)[0]
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

section("matcher: 1M lookups on one core, hosts already normalized, 2-4 labels deep (best of 5)")
print("  log-like: Zipf over 100k distinct hosts, 1% under watched domains")
print("  stress:   1M distinct hosts, 25% under watched domains")
print("watched   mix        lookups/s   ns/lookup  hits     index bytes/domain")
for size in [1_000, 100_000, 1_000_000] {
    let matcher = buildMatcher(domains[0..<size])
    let perDomain = Double(matcher.indexBytes) / Double(matcher.nameCount)
    for logLike in [true, false] {
        let hosts = lookupHosts(watched: domains[0..<size], logLike: logLike)
        var hits = 0
        var best = Double.infinity
        for _ in 0..<5 {
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
        let mix = logLike ? "log-like" : "stress"
        print(
            "\(String(size).padding(toLength: 8, withPad: " ", startingAt: 0))  \(mix.padding(toLength: 9, withPad: " ", startingAt: 0))  "
                + "\(mega(rate).padding(toLength: 10, withPad: " ", startingAt: 0))  "
                + "\(format(1e9 / rate, 1).padding(toLength: 9, withPad: " ", startingAt: 0))  \(String(hits).padding(toLength: 7, withPad: " ", startingAt: 0))  "
                + "\(format(perDomain, 1)) (+8 metadata; names \(format(Double(matcher.nameBytes) / Double(matcher.nameCount), 1)))")
        if size == 1_000_000 && logLike {
            check("matcher ≥ 10 M lookups/s at 1M watched, log-like mix (\(mega(rate)))", rate >= 10e6)
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

// MARK: - Block files

section("blocklists: select + render all seven formats from the 1M-entry watchlist (one core, best of 3)")
do throws(any Error) {
    let publicSuffixes = try PublicSuffixList.load()
    var best = Double.infinity
    var perFormat: [BlockFormat: (seconds: Double, bytes: Int, written: Int)] = [:]
    var selectSeconds = Double.infinity
    var selected = 0
    for _ in 0..<3 {
        let start = cpuNow()
        let (set, report) = BlockSet.select(
            from: bigList, selection: BlockSelection(allUnlessAlert: true), publicSuffixes: publicSuffixes)
        let selectEnd = cpuNow()
        selectSeconds = min(selectSeconds, selectEnd - start)
        selected = report.selected
        var formatStart = selectEnd
        for kind in BlockFormat.allCases {
            let (bytes, render) = BlockRenderer.render(set, format: kind, options: BlockFormatOptions(), serial: 1)
            let end = cpuNow()
            let seconds = end - formatStart
            if seconds < perFormat[kind]?.seconds ?? .infinity { perFormat[kind] = (seconds, bytes.count, render.written) }
            formatStart = end
        }
        best = min(best, formatStart - start)
    }
    print("select (guards, public suffixes, allow, coverage, sort): \(format(selectSeconds, 3)) s CPU for \(selected) entries")
    for kind in BlockFormat.allCases {
        let figure = perFormat[kind]!
        print(
            "  \(kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(format(figure.seconds, 3)) s  "
                + "\(format(Double(figure.bytes) / 1_048_576, 1)) MiB  \(figure.written) entries")
    }
    check("select + render all seven formats for 1M entries ≤ 3 s CPU (\(format(best, 2)) s)", best <= 3.0)

    // The whole publication of one format: render, read back for the change guard, write, fsync, rename.
    let dir = tmp + "/blocklists"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let (set, _) = BlockSet.select(from: bigList, selection: BlockSelection(allUnlessAlert: true), publicSuffixes: publicSuffixes)
    for kind in [BlockFormat.rpz, .squid] {
        let start = now()
        _ = try BlockPublisher.publish(set, to: BlockTarget(format: kind, path: dir + "/first.\(kind.rawValue)"), now: 1)
        print("  publish \(kind.rawValue) to a new file (render, read back, write, fsync, rename): \(format(now() - start, 2)) s wall")
    }
} catch {
    print("blocklists: \(error)")
    check("blocklist benchmark ran", false)
}
if onlyBlocklists {
    section("targets")
    for (what, ok) in verdicts { print("\(ok ? "PASS" : "MISS")  \(what)") }
    exit(0)
}

// MARK: - Scan

section("scan: Squid native log, \(lineCount) lines, format given, hits to /dev/null (best of 5)")
print("  log-like: hosts drawn by a Zipf law from 100k distinct hosts; 0.5% of lines under watched domains")
print("  stress:   hosts drawn uniformly from 100k distinct hosts; 0.5% of lines under watched domains")

/// Writes a Squid native log: 1/3 CONNECT, 2/3 GET, 500 users, a third of lines without a user.
@MainActor func writeSquidLog(to path: String, zipf: Bool) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 21)
    let pool = missHosts(100_000)
    let popularity = Zipf(count: pool.count)
    let users = (0..<500).map { "user\($0)" }
    var time = 1_795_900_000_000
    for i in 0..<lineCount {
        time += Int.random(in: 0..<3, using: &rng)
        let host: String
        if Int.random(in: 0..<200, using: &rng) == 0 {
            host = hostUnder(domains[Int.random(in: 0..<100_000, using: &rng)])
        } else {
            host = pool[zipf ? popularity.next(&rng) : Int.random(in: 0..<pool.count, using: &rng)]
        }
        let client = "10.\(i % 7).\(Int.random(in: 0..<256, using: &rng)).\(Int.random(in: 1..<255, using: &rng))"
        let user = Int.random(in: 0..<3, using: &rng) == 0 ? "-" : users[Int.random(in: 0..<users.count, using: &rng)]
        let elapsed = String(Int.random(in: 0..<5000, using: &rng))
        let padded = String(repeating: " ", count: max(0, 6 - elapsed.count)) + elapsed
        let stamp = "\(time / 1000).\(String(format: "%03d", time % 1000)) \(padded) \(client)"
        let bytes = Int.random(in: 100..<90000, using: &rng)
        let line: String
        if Int.random(in: 0..<3, using: &rng) == 0 {
            line = "\(stamp) TCP_TUNNEL/200 \(bytes) CONNECT \(host):443 \(user) HIER_DIRECT/203.0.113.\(i % 250) -\n"
        } else {
            line = "\(stamp) TCP_MISS/200 \(bytes) GET http://\(host)/static/\(i % 977)/app.js?v=\(i % 13) \(user) HIER_DIRECT/203.0.113.\(i % 250) application/javascript\n"
        }
        buffer.append(contentsOf: line.utf8)
        if buffer.count >= 1 << 20 {
            _ = buffer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            buffer.removeAll(keepingCapacity: true)
        }
    }
    _ = buffer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

let logPath = tmp + "/access.log"
let stressLogPath = tmp + "/access-uniform.log"
do {
    let start = now()
    writeSquidLog(to: logPath, zipf: true)
    writeSquidLog(to: stressLogPath, zipf: false)
    print("generated both logs in \(format(now() - start)) s")
}
let logBytes = Double((try FileManager.default.attributesOfItem(atPath: logPath)[.size] as? NSNumber)?.intValue ?? 0)
print("log size \(format(logBytes / 1_048_576, 1)) MiB, \(format(logBytes / Double(lineCount), 1)) bytes/line")

print("watched   log        lines/s      MB/s     CPU s    wall s   hits    median     cached")
for (mix, path) in [("log-like", logPath), ("stress", stressLogPath)] {
    for (label, list) in [("100k", list100k), ("1M", list1m)] {
        let watchlist = try Watchlist.load(watch: [list])
        var reports: [ScanReport] = []
        for _ in 0..<5 {
            let devNull = open("/dev/null", O_WRONLY)
            var output = OutputBuffer(fd: devNull, name: "/dev/null")
            reports.append(
                try Scan.run(
                    paths: [path], watchlist: watchlist, options: ScanOptions(format: "squid", timeZone: .utc, readChunkBytes: chunkBytes),
                    output: &output))
            close(devNull)
        }
        reports.sort { $0.wallSeconds < $1.wallSeconds }
        let report = reports[0]
        let rate = Double(report.total.linesRead) / report.wallSeconds
        let median = Double(report.total.linesRead) / reports[reports.count / 2].wallSeconds
        print(
            "\(label.padding(toLength: 8, withPad: " ", startingAt: 0))  \(mix.padding(toLength: 9, withPad: " ", startingAt: 0))  "
                + "\(mega(rate).padding(toLength: 11, withPad: " ", startingAt: 0))  "
                + "\(format(logBytes / 1_048_576 / report.wallSeconds, 0).padding(toLength: 7, withPad: " ", startingAt: 0))  "
                + "\(format(report.cpuSeconds, 3).padding(toLength: 7, withPad: " ", startingAt: 0))  "
                + "\(format(report.wallSeconds, 3).padding(toLength: 7, withPad: " ", startingAt: 0))  "
                + "\(String(report.total.hits).padding(toLength: 6, withPad: " ", startingAt: 0))  \(mega(median).padding(toLength: 9, withPad: " ", startingAt: 0))  "
                + "\(format(100 * Double(report.total.cachedAnswers) / Double(report.total.linesRead), 0)) %")
        if mix == "log-like" {
            check("scan ≥ \(label == "1M" ? "2.5" : "3") M lines/s at \(label) watched, log-like (\(mega(rate)))", rate >= (label == "1M" ? 2.5e6 : 3e6))
        }
    }
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
