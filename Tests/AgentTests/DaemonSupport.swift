import Foundation
import Testing

/// A `hostwatch run` child process in its own directory, with a config the test writes.
final class DaemonHarness {
    let dir: URL
    var logPath: String { dir.appendingPathComponent("app.log").path }
    var hitsPath: String { dir.appendingPathComponent("state/hits.jsonl").path }
    var watchPath: String { dir.appendingPathComponent("watched.txt").path }
    var configPath: String { dir.appendingPathComponent("hostwatch.toml").path }
    private(set) var process: Process?
    private(set) var starts = 0

    /// `index` is the body of `[index]`: off unless a test asks, so the rotation tests time the
    /// tailer alone (the index has end-to-end tests of its own).
    init(
        pattern: String = "app.log", watched: [String] = ["evil.test"], api: String = "", apiOptions: String = "",
        sinkPath: String = "state/hits.jsonl", sinkOptions: String = "", extraTail: String = "", extraConfig: String = "",
        index: String = "enabled = false"
    ) throws {
        dir = try makeTemporaryDirectory()
        try watched.joined(separator: "\n").appending("\n").write(toFile: watchPath, atomically: true, encoding: .utf8)
        let config = """
            state_dir = "state"
            [[source]]
            name = "app"
            paths = ["\(pattern)"]
            format = "squid"
            start_at = "beginning"
            [watchlist]
            files = ["watched.txt"]
            [[sink]]
            type = "jsonl"
            path = "\(sinkPath)"
            \(sinkOptions)
            [api]
            listen = "\(api)"
            \(apiOptions)
            [tail]
            rotate_wait = "1s"
            poll_interval = "200ms"
            \(extraTail)
            [index]
            \(index)
            \(extraConfig)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: dir)
    }

    var stderrPath: String { dir.appendingPathComponent("daemon.err").path }

    func start(environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = hostwatchBinary
        process.arguments = ["run", "--config", configPath]
        process.environment = ["TZ": "UTC", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.currentDirectoryURL = dir
        if !FileManager.default.fileExists(atPath: stderrPath) {
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        err.seekToEndOfFile()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try err.close()
        self.process = process
        starts += 1
    }

    /// Starts the daemon and waits until it follows the log (which the writer has created).
    func startAndWait() throws {
        let before = stderr.components(separatedBy: "following").count
        try start()
        let deadline = Date().addingTimeInterval(10)
        while stderr.components(separatedBy: "following").count == before, Date() < deadline { usleep(10_000) }
    }

    func kill9() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func hup() {
        if let process { kill(process.processIdentifier, SIGHUP) }
    }

    /// SIGTERM and wait; returns the exit status and how long the stop took.
    func stop() -> (status: Int32, seconds: Double) {
        guard let process else { return (-1, 0) }
        let start = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return (process.terminationStatus, Date().timeIntervalSince(start))
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sequence numbers of the hits in the JSONL file, by host's watched name, in file order.
    func hitSequences(path: String? = nil) -> [Int] {
        guard let data = FileManager.default.contents(atPath: path ?? hitsPath) else { return [] }
        var result: [Int] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let url = object["url"] as? String, let slash = url.lastIndex(of: "/"),
                let seq = Int(url[url.index(after: slash)...])
            else { continue }
            result.append(seq)
        }
        return result
    }

    /// Waits until the JSONL holds at least `count` hits (or `timeout` passes).
    @discardableResult
    func waitForHits(_ count: Int, timeout: Double = 30) -> [Int] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let hits = hitSequences()
            if hits.count >= count || Date() > deadline { return hits }
            usleep(50_000)
        }
    }

    /// Waits until the JSONL holds at least `count` lines, whatever their kind.
    func waitForLines(_ count: Int, timeout: Double = 30) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let data = FileManager.default.contents(atPath: hitsPath) ?? Data()
            if data.reduce(0, { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) >= count { return }
            usleep(50_000)
        }
    }

    func waitForLog(_ text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }
}

/// Appends numbered Squid lines to a log at a steady rate and rotates it the ways logrotate does.
///
/// Every line carries its sequence number in the URL; every fifth line is a visit to
/// `www.evil.test` (a hit), the rest to `www.benign.test`.
final class LogWriter {
    let path: String
    private var fd: Int32
    private(set) var seq = 0
    private(set) var expected: [Int] = []
    /// Lines for `www.other.test` (watched only after a reload in one test), by sequence.
    private(set) var otherLines: [Int] = []
    var hitEvery = 5
    var otherHost = false
    /// Time spent inside ``write(_:linesPerSecond:)``, for the achieved rate.
    private(set) var writingSeconds = 0.0

    /// Lines per second while writing (pauses between calls not counted).
    var achievedRate: Int { writingSeconds > 0 ? Int(Double(seq) / writingSeconds) : 0 }

    /// Whether the writer opens the log with O_APPEND (most do; some write at their own offset).
    let appends: Bool

    init(path: String, appends: Bool = true) {
        self.path = path
        self.appends = appends
        fd = open(path, O_WRONLY | (appends ? O_APPEND : 0) | O_CREAT | O_CLOEXEC, 0o644)
    }

    deinit { close(fd) }

    /// Writes `count` lines at `linesPerSecond`, in slices of 200 lines.
    func write(_ count: Int, linesPerSecond: Int = 20_000) {
        let start = Date()
        var written = 0
        while written < count {
            let slice = min(200, count - written)
            var text = ""
            for _ in 0..<slice {
                seq += 1
                let host: String
                if seq % hitEvery == 0 {
                    host = "www.evil.test"
                    expected.append(seq)
                } else if otherHost, seq % 7 == 0 {
                    host = "www.other.test"
                    otherLines.append(seq)
                } else {
                    host = "www.benign.test"
                }
                text += "1795923904.781      5 10.1.2.\(seq % 250) TCP_MISS/200 365 GET http://\(host)/seq/\(seq) alice HIER_DIRECT/127.0.0.1 text/html\n"
            }
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            written += slice
            let due = Double(written) / Double(linesPerSecond)
            let elapsed = Date().timeIntervalSince(start)
            if due > elapsed { usleep(UInt32((due - elapsed) * 1_000_000)) }
        }
        writingSeconds += Date().timeIntervalSince(start)
    }

    /// Opens the path again (after the test renamed or deleted the file itself).
    func reopen() {
        close(fd)
        fd = open(path, O_WRONLY | (appends ? O_APPEND : 0) | O_CREAT | O_CLOEXEC, 0o644)
    }

    /// Appends `text` as is (to write half a line).
    func writeRaw(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
    }

    /// logrotate's default: rename to `.1` (older generations shift up, five are kept), create a
    /// new file.
    func rotateRename() {
        renameOnly()
        reopen()
    }

    /// The rename half of a rotation: the writer keeps writing to the renamed file until it
    /// calls ``reopen()``.
    func renameOnly() {
        for generation in stride(from: 4, through: 1, by: -1) {
            rename(path + ".\(generation)", path + ".\(generation + 1)")
        }
        rename(path, path + ".1")
    }

    /// logrotate's `copytruncate`: copy to `.1` (the old `.1` to `.2`), then truncate in place;
    /// the writer keeps its descriptor (O_APPEND, so it writes at the new end).
    func rotateCopyTruncate() {
        for generation in stride(from: 4, through: 1, by: -1) {
            rename(path + ".\(generation)", path + ".\(generation + 1)")
        }
        let data = FileManager.default.contents(atPath: path) ?? Data()
        _ = FileManager.default.createFile(atPath: path + ".1", contents: data)
        ftruncate(fd, 0)
    }

    /// Compresses `.1` to `.1.gz` with the real gzip (which removes `.1`), as logrotate's
    /// `compress` does at the next rotation.
    func gzipRotated() {
        for generation in stride(from: 4, through: 1, by: -1) {
            rename(path + ".\(generation).gz", path + ".\(generation + 1).gz")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-f", path + ".1"]
        try? process.run()
        process.waitUntilExit()
    }
}

/// Prints the figures of a run (hits expected and written, lost, duplicated, the writer's rate)
/// and expects every expected hit exactly once. On a loss it also prints the missing sequence
/// numbers and the end of the daemon's log.
func expectEveryHitOnce(
    _ name: String, expected: [Int], got: [Int], writer: LogWriter? = nil, daemon: DaemonHarness? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let gotSet = Set(got)
    let missing = expected.filter { !gotSet.contains($0) }
    let duplicated = got.count - gotSet.count
    let rate = writer.map { ", \($0.seq) lines written at \($0.achievedRate) lines/s" } ?? ""
    print("\(name): \(expected.count) hits expected, \(got.count) written, \(missing.count) lost, \(duplicated) duplicated\(rate)")
    if !missing.isEmpty {
        print("  first lost: \(missing.prefix(5)), last lost: \(missing.suffix(5))")
        if let daemon { print(daemon.stderr.split(separator: "\n").suffix(80).joined(separator: "\n")) }
    }
    #expect(missing.isEmpty, "\(missing.count) hits lost", sourceLocation: sourceLocation)
    #expect(duplicated == 0, "\(duplicated) hits written twice", sourceLocation: sourceLocation)
}
