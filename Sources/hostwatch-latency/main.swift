// hostwatch-latency: end-to-end latency of `hostwatch run`, from a line's write(2) to its hit
// appearing in the JSONL sink.
//
//     swift build -c release && swift run -c release hostwatch-latency [--seconds 20] [--rate 20000] [--rotate-every 5]
//     swift run -c release hostwatch-latency --burst 2000000 [--watch 1000000]
//
// `--burst N` measures throughput instead: N lines appended at once to the followed log, timed
// until the last hit is in the JSONL. `--watch N` adds N random domains to the watchlist.
// Starts the real `hostwatch` binary from the same build directory, appends Squid lines to a
// log at a steady rate (every fifth line a hit whose URL carries its write time in µs), and
// watches the JSONL file for them, polling every millisecond. Prints p50/p90/p99/max.

import Foundation

#if canImport(Glibc)
import Glibc
#endif

var seconds = 20
var rate = 20_000
var rotateEvery = 0
var burst = 0
/// `--index`: the daemon with the visit index on, to see what it costs.
var indexEnabled = false
var watchCount = 1
/// `--pageviews`: burst lines like real proxy traffic (5k clients, 200k hosts, a page view is
/// about 4 requests to one host) instead of a new host on every line.
var pageViews = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--seconds": seconds = Int(arguments.popFirst() ?? "") ?? seconds
    case "--rate": rate = Int(arguments.popFirst() ?? "") ?? rate
    case "--rotate-every": rotateEvery = Int(arguments.popFirst() ?? "") ?? rotateEvery
    case "--burst": burst = Int(arguments.popFirst() ?? "") ?? burst
    case "--index": indexEnabled = true
    case "--pageviews": pageViews = true
    case "--watch": watchCount = Int(arguments.popFirst() ?? "") ?? watchCount
    default:
        print("usage: hostwatch-latency [--seconds N] [--rate LINES_PER_SECOND] [--rotate-every SECONDS] [--burst LINES [--pageviews]] [--watch DOMAINS] [--index]")
        exit(2)
    }
}

func micros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
}

let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hostwatch")
guard FileManager.default.isExecutableFile(atPath: binary.path) else {
    print("hostwatch-latency: build hostwatch first (swift build -c release): \(binary.path) is missing")
    exit(2)
}
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostwatch-latency-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let logPath = dir.appendingPathComponent("access.log").path
let hitsPath = dir.appendingPathComponent("state/hits.jsonl").path
var watched = "evil.test\n"
var state: UInt64 = 0x9E37_79B9_7F4A_7C15
for _ in 1..<max(1, watchCount) {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    watched += "w\(String(state >> 20, radix: 36)).example\n"
}
try watched.write(to: dir.appendingPathComponent("watched.txt"), atomically: true, encoding: .utf8)
try """
    state_dir = "state"
    [[source]]
    name = "squid"
    paths = ["access.log"]
    format = "squid"
    start_at = "beginning"
    [watchlist]
    files = ["watched.txt"]
    [[sink]]
    type = "jsonl"
    path = "state/hits.jsonl"
    fsync = "checkpoint"
    [index]
    enabled = \(indexEnabled)
    [api]
    listen = ""
    """.write(to: dir.appendingPathComponent("hostwatch.toml"), atomically: true, encoding: .utf8)

var fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
let daemon = Process()
daemon.executableURL = binary
daemon.arguments = ["run", "--config", dir.appendingPathComponent("hostwatch.toml").path, "--log-level", "warning"]
daemon.currentDirectoryURL = dir
daemon.standardOutput = FileHandle.nullDevice
try daemon.run()
// Give it time to start and follow the (empty) log.
usleep(500_000)

// MARK: - Burst (throughput)

if burst > 0 {
    var text = ""
    text.reserveCapacity(burst * 130)
    var state: UInt64 = 0x7061_6765
    func next() -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
    var (client, site, left) = (0, 0, 0)
    for i in 1...burst {
        var host = "h\(i % 100_000).site\(i % 977).com"
        var from = "10.1.2.\(i % 250)"
        if pageViews {
            if left == 0 {
                (client, site, left) = (next() % 5_000, next() % 200_000, 1 + next() % 7)
            }
            left -= 1
            host = "h\(site % 37).site\(site).com"
            from = "10.1.\(client / 250).\(client % 250)"
        }
        if i % 200 == 0 { host = "www.evil.test" }
        text += "1795923904.781      5 \(from) TCP_MISS/200 365 GET http://\(host)/seq/\(i) alice HIER_DIRECT/127.0.0.1 text/html\n"
    }
    let bytes = Array(text.utf8)
    let expectedHits = burst / 200
    let startMicros = micros()
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    var lines = 0
    var lastSeen = startMicros
    let deadline = Date().addingTimeInterval(300)
    while Date() < deadline {
        let data = FileManager.default.contents(atPath: hitsPath) ?? Data()
        lines = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        if lines >= expectedHits {
            lastSeen = micros()
            break
        }
        usleep(2_000)
    }
    kill(daemon.processIdentifier, SIGTERM)
    daemon.waitUntilExit()
    let seconds = Double(lastSeen - startMicros) / 1e6
    print(
        "hostwatch run\(indexEnabled ? " with the visit index" : ""), burst of \(burst) lines (\(bytes.count / 1_048_576) MiB, \(pageViews ? "page views" : "a new host on every line")) against \(watchCount) watched: "
            + "\(lines)/\(expectedHits) hits in \(String(format: "%.2f", seconds)) s = \(Int(Double(burst) / seconds)) lines/s")
    exit(lines == expectedHits ? 0 : 1)
}

// MARK: - Write

var expected = 0
var seq = 0
let total = seconds * rate
let start = Date()
var lastRotation = Date()
var latencies: [Int64] = []
latencies.reserveCapacity(total / 5)
var seen = 0
var hitsOffset: Int64 = 0
var pending: [UInt8] = []

/// Reads what the JSONL gained and records each new hit's latency.
@MainActor func collect() {
    let reader = open(hitsPath, O_RDONLY | O_CLOEXEC)
    guard reader >= 0 else { return }
    defer { close(reader) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = buffer.withUnsafeMutableBytes { pread(reader, $0.baseAddress!, $0.count, off_t(hitsOffset)) }
        if n <= 0 { break }
        hitsOffset += Int64(n)
        let now = micros()
        pending.append(contentsOf: buffer[0..<n])
        var lineStart = 0
        while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
            let line = pending[lineStart..<newline]
            if let range = line.firstRange(of: Array("/t/".utf8)) {
                let digits = line[range.upperBound...].prefix { $0 >= 0x30 && $0 <= 0x39 }
                if let written = Int64(String(decoding: digits, as: UTF8.self)) {
                    latencies.append(now - written)
                    seen += 1
                }
            }
            lineStart = newline + 1
        }
        pending.removeSubrange(0..<lineStart)
    }
}

while seq < total {
    var text = ""
    let stamp = micros()
    for _ in 0..<200 {
        seq += 1
        if seq % 5 == 0 {
            expected += 1
            text += "\(stamp / 1_000_000).\(String(format: "%03d", (stamp / 1000) % 1000))      5 10.1.2.\(seq % 250) TCP_MISS/200 365 GET http://www.evil.test/seq/\(seq)/t/\(stamp) alice HIER_DIRECT/127.0.0.1 text/html\n"
        } else {
            text += "\(stamp / 1_000_000).000      5 10.1.2.\(seq % 250) TCP_MISS/200 365 GET http://www.benign.test/seq/\(seq) alice HIER_DIRECT/127.0.0.1 text/html\n"
        }
    }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    if rotateEvery > 0, Date().timeIntervalSince(lastRotation) >= Double(rotateEvery) {
        rename(logPath, logPath + ".1")
        close(fd)
        fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        lastRotation = Date()
    }
    // Pace, polling the JSONL while waiting (every millisecond).
    let due = Double(seq) / Double(rate)
    while Date().timeIntervalSince(start) < due {
        collect()
        usleep(1_000)
    }
}
let deadline = Date().addingTimeInterval(10)
while seen < expected, Date() < deadline {
    collect()
    usleep(1_000)
}
let elapsed = Date().timeIntervalSince(start)
kill(daemon.processIdentifier, SIGTERM)
daemon.waitUntilExit()

latencies.sort()
@MainActor func percentile(_ p: Double) -> Double {
    guard !latencies.isEmpty else { return .nan }
    let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
    return Double(latencies[max(0, index)]) / 1000
}
print(
    "hostwatch run, \(seq) lines in \(String(format: "%.1f", elapsed)) s (\(Int(Double(seq) / elapsed)) lines/s)"
        + (rotateEvery > 0 ? ", rename rotation every \(rotateEvery) s" : "") + ": \(seen)/\(expected) hits seen")
print(
    String(
        format: "write → hit in JSONL: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
        percentile(0.50), percentile(0.90), percentile(0.99), percentile(1.0)))
exit(seen == expected && daemon.terminationStatus == 0 ? 0 : 1)
