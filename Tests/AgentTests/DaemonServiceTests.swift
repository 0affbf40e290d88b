// See SystemdTests.swift for why CDispatch is imported.
import CDispatch
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's service contract: systemd notifications in order, `/healthz`, `/metrics`.
@Suite(.serialized) struct DaemonServiceTests {
    @Test func notifiesReadyReloadingStoppingAndServesMetrics() throws {
        let port = try freeLoopbackPort()
        let daemon = try DaemonHarness(api: "127.0.0.1:\(port)")
        let socketPath = daemon.dir.appendingPathComponent("notify.sock").path
        let listener = try DatagramListener(address: socketPath)
        let writer = LogWriter(path: daemon.logPath)
        try daemon.start(environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "2000000"])

        // READY=1 only once the HTTP port answers.
        var messages: [String] = []
        func next(until wanted: String) -> Bool {
            while let message = listener.receive() {
                messages.append(message)
                if message.hasPrefix(wanted) { return true }
            }
            return false
        }
        #expect(next(until: "READY=1"))
        #expect(try httpGet(port: port, path: "/healthz") == "HTTP/1.1 200 OK\nok\n")

        writer.write(1_000)
        daemon.waitForHits(writer.expected.count)
        usleep(400_000)  // the figures are published at most 200 ms after a round
        let metrics = try httpGet(port: port, path: "/metrics")
        #expect(metrics.hasPrefix("HTTP/1.1 200 OK\n"))
        #expect(metrics.contains("hostwatch_lines_read_total{source=\"app\"} 1000\n"))
        #expect(metrics.contains("hostwatch_lines_parsed_total{source=\"app\"} 1000\n"))
        #expect(metrics.contains("hostwatch_hits_total{list=\"watched\"} 200\n"))
        #expect(metrics.contains("hostwatch_file_lag_bytes{source=\"app\",path=\"\(daemon.logPath)\"} 0\n"))
        #expect(metrics.contains("hostwatch_watchlist_entries{kind=\"watch\"} 1\n"))
        #expect(metrics.contains("hostwatch_sink_hits_total{sink=\"jsonl:\(daemon.hitsPath)\"} 200\n"))
        #expect(metrics.contains("hostwatch_reloads_total 0\n"))

        daemon.hup()
        #expect(next(until: "RELOADING=1"))
        #expect(next(until: "READY=1"))
        #expect(next(until: "WATCHDOG=1"))
        usleep(400_000)
        let afterReload = try httpGet(port: port, path: "/metrics")
        #expect(afterReload.contains("hostwatch_reloads_total 1\n"))
        #expect(afterReload.contains("hostwatch_reload_failures_total 0\n"))

        let stop = daemon.stop()
        #expect(stop.status == 0)
        #expect(stop.seconds < 5)
        #expect(next(until: "STOPPING=1"))
        let contract = messages.filter { !$0.hasPrefix("STATUS=") && !$0.hasPrefix("WATCHDOG=") }
            .map { $0.split(separator: "\n").first.map(String.init) ?? $0 }
        #expect(contract == ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"])
        let reloading = try #require(messages.first { $0.hasPrefix("RELOADING=1") })
        #expect(reloading.contains("\nMONOTONIC_USEC="))
    }

    @Test func healthzFailsWhileTheSinkCannotWrite() throws {
        let port = try freeLoopbackPort()
        let daemon = try DaemonHarness(api: "127.0.0.1:\(port)", sinkPath: "/dev/full")
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(100)
        #expect(daemon.waitForLog("retrying"))
        usleep(300_000)
        let health = try httpGet(port: port, path: "/healthz")
        #expect(health.hasPrefix("HTTP/1.1 503 Service Unavailable\nsink jsonl:/dev/full failing: cannot write to /dev/full"))
        let metrics = try httpGet(port: port, path: "/metrics")
        #expect(metrics.contains("hostwatch_sink_dropped_hits_total{sink=\"jsonl:/dev/full\"} 0\n"))
        let stop = daemon.stop()
        #expect(stop.status == 0)
        #expect(stop.seconds < 5)
    }
}

extension DaemonServiceTests {
    @Test func dropPolicyCountsEveryDroppedHit() throws {
        let port = try freeLoopbackPort()
        let daemon = try DaemonHarness(api: "127.0.0.1:\(port)", sinkPath: "/dev/full", sinkOptions: "on_error = \"drop\"")
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(1_000)
        let deadline = Date().addingTimeInterval(10)
        var metrics = ""
        while Date() < deadline {
            metrics = try httpGet(port: port, path: "/metrics")
            if metrics.contains("hostwatch_lines_read_total{source=\"app\"} 1000\n") { break }
            usleep(100_000)
        }
        #expect(metrics.contains("hostwatch_sink_dropped_hits_total{sink=\"jsonl:/dev/full\"} 200\n"))
        #expect(metrics.contains("hostwatch_sink_hits_total{sink=\"jsonl:/dev/full\"} 0\n"))
        #expect(daemon.stop().status == 0)
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    try #require(bound)
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `GET path`: the status line, then the body (headers left out), with `\r\n` turned into `\n`.
func httpGet(port: Int, path: String) throws -> String {
    let reply = try httpRequest(port: port, method: "GET", path: path)
    return reply.statusLine + "\n" + reply.body.replacingOccurrences(of: "\r\n", with: "\n")
}
