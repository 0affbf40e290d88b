import DomainMatch
import Foundation
import SeededRandom
import VisitIndex

/// The visit index: ingest rate (aggregating from bytes, normalizing once per distinct visit,
/// writing a batch per 250k lines), size on disk per million lines, and `visited` latency.
///
/// `days` days of `linesPerDay` lines each, from 5k clients (uniformly) over 200k distinct hosts
/// under 20k registrable domains. Like real traffic, a client mostly returns to its own few
/// dozen sites (90 % of its lines go to 60 hosts of its own), the rest drawn by a Zipf-like law
/// over all hosts; each client has one user, or none for a third of them.
func runIndexBench(days: Int, linesPerDay: Int, burst: Int, directory: String, queryOnly: Bool = false, uniqueHosts: Bool = false) throws {
    print("\n== visit index: \(days) days × \(linesPerDay) lines, 200k hosts, 5k clients, \(burst) requests per page view on average (one core)")
    var rng = SplitMix64(state: 0x696E_6465_78)
    let domains = (0..<20_000).map { i in "d\(i)-\(rng.next() % 100_000).example" }
    let hosts: [[UInt8]] = (0..<200_000).map { i in Array("h\(i % 37).\(domains[i % domains.count])".utf8) }
    let clients: [[UInt8]] = (0..<5_000).map { Array("10.\($0 / 250).\($0 % 250).\(rng.next() % 250)".utf8) }
    let users: [[UInt8]] = (0..<2_000).map { Array("user\($0)".utf8) }
    // Zipf-like: the square of a uniform draw favours low indices.
    func pick(_ count: Int) -> Int {
        let u = Double(rng.next() % 1_000_000) / 1_000_000
        return min(count - 1, Int(u * u * u * Double(count)))
    }
    let path = directory + "/visits-bench.sqlite"
    if !queryOnly {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let index = try VisitIndex(path: path)
    var aggregator = VisitAggregator()
    let day0: Int64 = 1_795_910_400_000
    // A batch is what the daemon writes at each checkpoint (every second): 500k lines is one
    // second at the target rate.
    let batchLines = 500_000
    var addSeconds = 0.0
    var writeSeconds = 0.0
    var namesLookedUp = 0
    var distinct = 0
    for day in 0..<(queryOnly ? 0 : days) {
        // The day's lines, generated outside the timed part, laid out one after the other like
        // the lines of a log the pipeline reads (its fields are in cache when it sums them):
        // host length, host, client length, client, user length (255: none), user, time.
        var log: [UInt8] = []
        var lineStarts: [Int] = []
        log.reserveCapacity(linesPerDay * 48)
        lineStarts.reserveCapacity(linesPerDay + 1)
        var (client, user, host, left) = (0, 0, 0, 0)
        for i in 0..<linesPerDay {
            if left == 0 {
                // A new page view: its requests to one host come one after the other.
                client = Int(rng.next() % 5_000)
                user = client % 3 == 0 ? -1 : client % users.count
                host =
                    rng.next() % 10 == 0
                    ? pick(hosts.count) : (client &* 7919 &+ Int(rng.next() % 60) &* 104_729) % hosts.count
                left = 1 + Int(rng.next() % UInt64(2 * burst - 1))
            }
            left -= 1
            lineStarts.append(log.count)
            if uniqueHosts {
                // A random-subdomain flood: a name never seen before on every line.
                let name = Array("q\(day)-\(i).".utf8) + hosts[host]
                log.append(UInt8(name.count))
                log += name
            } else {
                log.append(UInt8(hosts[host].count))
                log += hosts[host]
            }
            log.append(UInt8(clients[client].count))
            log += clients[client]
            if user < 0 {
                log.append(255)
            } else {
                log.append(UInt8(users[user].count))
                log += users[user]
            }
            let time = day0 + Int64(day) * 86_400_000 + Int64(i) * 86_400_000 / Int64(linesPerDay)
            withUnsafeBytes(of: time.littleEndian) { log += $0 }
        }
        lineStarts.append(log.count)
        var start = 0
        while start < linesPerDay {
            let end = min(start + batchLines, linesPerDay)
            let t0 = cpuSeconds()
            log.withUnsafeBytes { bytes in
                for line in start..<end {
                    var at = lineStarts[line]
                    func field() -> UnsafeRawBufferPointer? {
                        let length = Int(bytes[at])
                        at += 1
                        if length == 255 { return nil }
                        defer { at += length }
                        return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + length)])
                    }
                    let host = field()!
                    let client = field()!
                    let user = field()
                    let time = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self))
                    aggregator.add(host: host, client: client, user: user, timeMillis: time)
                }
            }
            let t1 = cpuSeconds()
            distinct += aggregator.distinctVisits
            let written = try index.write(&aggregator) { raw, out in
                guard case .success(let host) = HostNormalizer.normalize(raw, into: out) else { return nil }
                return host.count
            }
            let t2 = cpuSeconds()
            addSeconds += t1 - t0
            writeSeconds += t2 - t1
            namesLookedUp += written.namesLookedUp
            start = end
        }
    }
    let lines = Double(days * linesPerDay)
    if !queryOnly {
    print("aggregate from bytes: \(String(format: "%.0f", lines / addSeconds / 1000))k lines/s (\(String(format: "%.0f", addSeconds / lines * 1e9)) ns/line)")
    print(
        "write \(distinct) distinct visits (\(String(format: "%.2f", Double(distinct) / lines)) per line) in batches of \(batchLines) lines: "
            + "\(String(format: "%.2f", writeSeconds)) s, \(String(format: "%.2f", writeSeconds / Double(distinct) * 1e6)) µs per row; \(namesLookedUp) names normalized and interned")
    let rate = lines / (addSeconds + writeSeconds)
    print("ingest into the index, all of it: \(String(format: "%.0f", rate / 1000))k lines/s CPU (target ≥ 500k)")
    try index.checkpoint()
    var size = 0
    for suffix in ["", "-wal"] {
        size += ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size]) as? Int) ?? 0
    }
    let perMillion = Double(size) / 1_048_576 / (lines / 1_000_000)
    print("size on disk: \(String(format: "%.1f", Double(size) / 1_048_576)) MiB, \(String(format: "%.1f", perMillion)) MiB per million lines (target ≤ 20 MB)")
    }

    // `visited` latency: domains with visits (drawn like the traffic) and without.
    let since = day0 - 86_400_000
    for (label, names) in [
        ("with visits", (0..<300).map { _ in domains[Int(pick(hosts.count)) % domains.count] }),
        ("without visits", (0..<300).map { "nobody-\($0).example" }),
    ] {
        var times: [Double] = []
        var visited = 0
        var slowest = (seconds: 0.0, name: "", visitors: 0, hosts: 0)
        for name in names {
            let t0 = wallSeconds()
            let report = try index.visited(name, sinceMillis: since)
            times.append(wallSeconds() - t0)
            if times.last! > slowest.seconds { slowest = (times.last!, name, report.visitors.count, report.hosts.count) }
            if report.visited { visited += 1 }
        }
        times.sort()
        print(
            "visited, \(label): p50 \(String(format: "%.2f", times[times.count / 2] * 1000)) ms, p99 \(String(format: "%.2f", times[times.count * 99 / 100] * 1000)) ms, max \(String(format: "%.2f", times.last! * 1000)) ms (\(visited)/\(names.count) visited; the slowest, \(slowest.name), has \(slowest.visitors) visitors of \(slowest.hosts) hosts)")
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

func wallSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
