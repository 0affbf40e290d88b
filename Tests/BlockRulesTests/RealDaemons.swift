// RealDaemons.swift: run the real Debian daemons (squid 5.7, named 9.18, unbound 1.17,
// dnsmasq 2.90) on loopback so tests can prove hostwatch's block files against them.
//
// Design rules, each learnt the hard way on Debian 12:
// - Every daemon runs in the foreground (squid -N, named -g, unbound -d, dnsmasq -k), so the
//   PID we spawn *is* the daemon; it is stopped by that PID only (SIGTERM, wait, SIGKILL) and
//   reaped by us, so a PID is never signalled after it has been reaped (no PID-reuse accidents).
// - Every daemon gets its own 0755 scratch directory, its own config, pid file and logs, and a
//   loopback port that this process has not handed out before and that binds for TCP and UDP.
// - Everything is offline: the "internet" the resolvers see is a fake root zone (named, unbound)
//   or an upstream dnsmasq (dnsmasq) in which every name under `.test` and `.example` exists
//   (A 127.0.0.1, AAAA ::1, MX mail.<tld>); Squid resolves through a hosts file only.
// - Readiness = the daemon's own log says so ("Accepting HTTP Socket connections",
//   "rpz: <zone>: reload done", "start of service", "started, version") AND its sockets show up
//   in /proc/net/{tcp,udp}. Never a probe connection: a TCP probe leaves a `NONE_NONE/000` line
//   in Squid's access.log, and named answers queries *before* its RPZ zone is active.
// - Port clashes (another process got the port between our check and the daemon's bind) are
//   recognised in the daemon's log and retried with a fresh port.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Errors and results

/// Why the harness could not do what a test asked, with the daemon's own words attached.
struct HarnessError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// A daemon that died or never became ready; `log` is what it printed (tail only).
    static func startFailed(_ name: String, reason: String, log: String) -> HarnessError {
        HarnessError("\(name) failed to start: \(reason)\n----- \(name) log (tail) -----\n\(log.tail(lines: 60))")
    }
}

/// Marks a start that failed only because another socket took the port first (it is retried).
private struct PortInUse: Error { var underlying: HarnessError }

/// Exit code and combined stdout+stderr of a one-shot tool (a checker or `dig`).
struct ToolResult: Sendable, CustomStringConvertible {
    var exitCode: Int32
    var output: String
    var description: String { "exit \(exitCode)\n\(output)" }
}

/// How a stop went, so tests can keep an eye on how long each daemon takes.
struct StopReport: Sendable {
    var duration: Duration
    /// True when SIGTERM was not enough within the grace period and SIGKILL was sent.
    var neededSIGKILL: Bool
    /// Raw wait status; see ``ExitStatus``.
    var status: ExitStatus?
}

/// A decoded `waitpid` status (the Glibc `WIFEXITED` family is macros Swift cannot import).
struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    var raw: Int32
    var exitCode: Int32? { raw & 0x7f == 0 ? (raw >> 8) & 0xff : nil }
    var signal: Int32? { raw & 0x7f != 0 && raw & 0x7f != 0x7f ? raw & 0x7f : nil }
    var description: String {
        if let code = exitCode { return "exit code \(code)" }
        if let sig = signal { return "killed by signal \(sig)" }
        return "status \(raw)"
    }
}

// MARK: - Binaries

/// Where Debian puts each tool; a missing one fails the test with the package to install
/// (deliberately no silent skip: CI must install them, and a skip would hide that it did not).
enum DaemonBinary: String, CaseIterable, Sendable {
    case squid = "/usr/sbin/squid"
    case named = "/usr/sbin/named"
    case namedCheckzone = "/usr/bin/named-checkzone"
    case unbound = "/usr/sbin/unbound"
    case unboundCheckconf = "/usr/sbin/unbound-checkconf"
    case dnsmasq = "/usr/sbin/dnsmasq"
    case dig = "/usr/bin/dig"

    var debianPackage: String {
        switch self {
        case .squid: "squid"
        case .named, .namedCheckzone: "bind9 (named-checkzone: bind9-utils)"
        case .unbound, .unboundCheckconf: "unbound"
        case .dnsmasq: "dnsmasq (dnsmasq-base is enough)"
        case .dig: "bind9-dnsutils"
        }
    }

    var isInstalled: Bool { access(rawValue, X_OK) == 0 }

    /// The path, or an error naming the Debian package that provides it.
    func path() throws -> String {
        guard isInstalled else {
            throw HarnessError("\(rawValue) is not installed: apt-get install -y \(debianPackage)")
        }
        return rawValue
    }
}

// MARK: - Scratch directories

/// Root of all daemon scratch directories; one sub-directory per daemon or checker run.
let realDaemonsRoot = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hostwatch-real-daemons")

/// Set `HOSTWATCH_KEEP_DAEMON_DIRS=1` to keep scratch directories (configs, logs) for debugging.
let keepDaemonDirectories = ProcessInfo.processInfo.environment["HOSTWATCH_KEEP_DAEMON_DIRS"] == "1"

/// Creates a fresh 0755 directory (mkdtemp would give 0700, which squid's `proxy` user and
/// dnsmasq's `dnsmasq` user cannot enter after they drop root).
func makeScratchDirectory(_ label: String) throws -> URL {
    cleanUpOrphansOnce()
    try FileManager.default.createDirectory(at: realDaemonsRoot, withIntermediateDirectories: true)
    chmod(realDaemonsRoot.path, 0o755)
    let dir = realDaemonsRoot.appendingPathComponent("\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
    guard chmod(dir.path, 0o755) == 0 else { throw HarnessError("chmod \(dir.path): \(errnoText())") }
    return dir
}

/// A scratch directory for a test's own files (block files, hosts files), removed on deinit.
///
/// Keep it referenced until the daemons that read its files have started: Swift may end a
/// local's lifetime after its last use (debug builds, which `swift test` uses, keep it to the end
/// of the scope; add `defer { withExtendedLifetime(dir) {} }` if tests are built with `-c release`).
final class TemporaryDirectory: Sendable {
    let url: URL

    init(_ label: String = "test") throws { url = try makeScratchDirectory(label) }

    /// Writes `text` to `name` in this directory (0644) and returns its URL.
    func file(_ name: String, _ text: String) throws -> URL { try writeFile(text, named: name, in: url) }

    deinit { if !keepDaemonDirectories { try? FileManager.default.removeItem(at: url) } }
}

/// Writes `text` to `name` inside `directory` (0644, so dropped-privilege daemons can read it).
@discardableResult
func writeFile(_ text: String, named name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    chmod(url.path, 0o644)
    return url
}

/// Reads a file as text, tolerating invalid UTF-8 (daemon logs are not always clean).
func readText(_ url: URL) -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
    return String(decoding: data, as: UTF8.self)
}

/// Reads a /proc file to the end. Not `FileManager.contents(atPath:)`: procfs reports size 0 and
/// Foundation then returns only the first page (4050 of 22650 bytes of /proc/net/tcp, measured),
/// which silently hides sockets once the table grows under parallel tests.
func readProcFile(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        data += buffer[0..<count]
    }
    return String(decoding: data, as: UTF8.self)
}

/// `chown`s a directory to a system user (squid drops to `proxy` and must write its logs there).
private func giveDirectory(_ dir: URL, toUser user: String) throws {
    guard geteuid() == 0, let entry = getpwnam(user) else { return }
    guard chown(dir.path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
        throw HarnessError("chown \(dir.path) to \(user): \(errnoText())")
    }
}

private let orphanSweep = Mutex(false)

/// Cleans up after an earlier test process that crashed before it could stop its daemons.
/// Scratch dirs are named "<label>-<owner pid>-<random>"; only dirs whose owner is gone are
/// touched. A daemon dir also records "<owner pid> <daemon pid>" in `owner`, and that daemon is
/// killed only if its /proc cmdline still names that very directory (so a reused PID is never
/// hit); a Squid dir records its service name in `shm-service` so its /dev/shm segments go too.
private func cleanUpOrphansOnce() {
    let alreadyDone = orphanSweep.withLock { done in
        defer { done = true }
        return done
    }
    if alreadyDone { return }
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: realDaemonsRoot.path) else { return }
    for entry in entries {
        let parts = entry.split(separator: "-")
        guard parts.count >= 3, let owner = Int32(parts[parts.count - 2]), owner != getpid(),
            kill(owner, 0) != 0, errno == ESRCH
        else { continue }
        let dir = realDaemonsRoot.appendingPathComponent(entry)
        let pids = readText(dir.appendingPathComponent("owner")).split(separator: " ").compactMap { Int32($0) }
        if pids.count == 2, readProcFile("/proc/\(pids[1])/cmdline").contains(dir.path) {
            kill(pids[1], SIGKILL)
            usleep(100_000)  // let it die before its shm segments are removed
        }
        let service = readText(dir.appendingPathComponent("shm-service"))
        if !service.isEmpty { removeSquidSharedMemory(service: service) }
        try? FileManager.default.removeItem(at: dir)
    }
}

// MARK: - Loopback ports

private let handedOutPorts = Mutex(Set<UInt16>())

/// A loopback port that binds for both TCP and UDP right now and that this process has never
/// handed out before. Ports come from 20000..<32000, *below* Linux's ephemeral range
/// (32768–60999), so a client's outgoing source port can never squat on a daemon's port.
/// That only holds if every daemon keeps its *own* outgoing ports in the ephemeral range too:
/// dnsmasq picks random source ports in 1024–65535 and unbound anything above 1024 unless told
/// otherwise (hence `min-port`/`max-port` and `outgoing-port-avoid` in their configs). Before
/// that, 1 run in ~60 lost a dnsmasq reply or had named fail "unable to listen".
/// (named and dnsmasq set SO_REUSEADDR, and two named instances on one UDP port would happily
/// share it and answer each other's queries: hence the never-twice rule.)
func freeLoopbackPort() throws -> UInt16 {
    for _ in 0..<200 {
        let candidate = UInt16.random(in: 20000..<32000)
        let fresh = handedOutPorts.withLock { ports in ports.insert(candidate).inserted }
        guard fresh else { continue }
        if canBind(port: candidate, type: SOCK_STREAM) && canBind(port: candidate, type: SOCK_DGRAM) {
            return candidate
        }
    }
    throw HarnessError("no free loopback port found in 20000..<32000")
}

private func canBind(port: UInt16, type: __socket_type) -> Bool {
    let fd = socket(AF_INET, Int32(type.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    return address
}

/// Runs `start` with a fresh port, retrying (up to 3 times) only when the daemon reported that
/// the port was taken in the meantime by somebody else.
private func withFreshPort<T>(_ start: (UInt16) async throws -> T) async throws -> T {
    var lastError: HarnessError?
    for _ in 0..<3 {
        do {
            return try await start(try freeLoopbackPort())
        } catch let clash as PortInUse {
            lastError = clash.underlying
        }
    }
    throw lastError ?? HarnessError("port retries exhausted")
}

// MARK: - Child processes

/// Spawns `path` with stdin from /dev/null and stdout+stderr appended to `logFile`.
///
/// posix_spawn rather than Foundation's `Process`, because we want a plain PID that only we reap,
/// and because the child must start with an *empty signal mask and default dispositions*: Swift
/// and Dispatch threads block or ignore some signals (SIGPIPE), and a daemon that inherits a
/// blocked SIGTERM would ignore our stop request.
func spawnChild(_ path: String, _ arguments: [String], logFile: URL) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var resetToDefault = sigset_t()
    sigemptyset(&resetToDefault)
    for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
        sigaddset(&resetToDefault, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &resetToDefault)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
    guard result == 0 else { throw HarnessError("posix_spawn \(path): \(String(cString: strerror(result)))") }
    return pid
}

/// Non-blocking reap: the child's status if it has exited, nil while it runs.
private func reapIfExited(_ pid: pid_t) -> ExitStatus? {
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    if result == pid { return ExitStatus(raw: status) }
    if result < 0 && errno == ECHILD { return ExitStatus(raw: -1) }  // someone else reaped it
    return nil
}

/// Runs a one-shot tool to completion (bounded by `timeout`) and returns its exit code and output.
func runTool(_ path: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> ToolResult {
    let dir = try makeScratchDirectory("tool")
    defer { if !keepDaemonDirectories { try? FileManager.default.removeItem(at: dir) } }
    let output = dir.appendingPathComponent("output.txt")
    let pid = try spawnChild(path, arguments, logFile: output)
    let deadline = ContinuousClock.now + timeout
    while true {
        if let status = reapIfExited(pid) {
            return ToolResult(exitCode: status.exitCode ?? 128 + (status.signal ?? 0), output: readText(output))
        }
        if ContinuousClock.now > deadline {
            kill(pid, SIGKILL)
            _ = waitpidBlocking(pid)
            throw HarnessError("\(path) \(arguments.joined(separator: " ")) timed out after \(timeout)\n\(readText(output))")
        }
        try await Task.sleep(for: .milliseconds(2))
    }
}

private func waitpidBlocking(_ pid: pid_t) -> ExitStatus? {
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, 0)
        if result == pid { return ExitStatus(raw: status) }
        if result < 0 && errno != EINTR { return nil }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

extension String {
    /// The last `lines` lines, for error messages that stay readable.
    func tail(lines: Int) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

// MARK: - RealDaemon

/// A running daemon that this test process started and owns.
///
/// Stop it with ``stop(grace:)`` (async, used by tests so timings are visible); if a test forgets
/// or throws first, `deinit` stops it synchronously and removes its scratch directory.
final class RealDaemon: Sendable {
    /// "squid", "named", "unbound", "dnsmasq", "dnsmasq-upstream".
    let name: String
    let pid: pid_t
    /// Scratch directory with the generated config, pid file and logs.
    let directory: URL
    /// The daemon's stdout+stderr.
    let consoleLog: URL
    /// Loopback port it listens on (TCP for Squid, UDP+TCP for the resolvers).
    let port: UInt16
    /// Daemons this one depends on (dnsmasq's fake upstream); stopped after it.
    let companions: [RealDaemon]
    /// Runs once the process has been reaped (Squid: remove its /dev/shm segments).
    private let afterExit: @Sendable () -> Void

    private struct State {
        var exitStatus: ExitStatus?
        var startupDuration: Duration = .zero
    }
    private let state = Mutex(State())

    fileprivate init(
        name: String, pid: pid_t, directory: URL, consoleLog: URL, port: UInt16, companions: [RealDaemon],
        afterExit: @escaping @Sendable () -> Void
    ) {
        self.afterExit = afterExit
        self.name = name
        self.pid = pid
        self.directory = directory
        self.consoleLog = consoleLog
        self.port = port
        self.companions = companions
    }

    /// From spawn until the daemon's log said it was ready.
    var startupDuration: Duration { state.withLock { $0.startupDuration } }
    fileprivate func markReady(after duration: Duration) { state.withLock { $0.startupDuration = duration } }

    /// The daemon's console output (for named, unbound and dnsmasq this is their whole log).
    var log: String { readText(consoleLog) }

    /// True until the process has exited (and been reaped by us).
    var isRunning: Bool { pollExit() == nil }

    /// Reaps the process if it exited; the status once it has. Never signals anything.
    @discardableResult
    func pollExit() -> ExitStatus? {
        let (status, justReaped) = state.withLock { state in
            guard state.exitStatus == nil else { return (state.exitStatus, false) }
            state.exitStatus = reapIfExited(pid)
            return (state.exitStatus, state.exitStatus != nil)
        }
        if justReaped { afterExit() }
        return status
    }

    /// Sends `signal` to the daemon's PID, unless we already reaped it (so a reused PID is safe).
    func send(_ signal: Int32) {
        guard pollExit() == nil else { return }
        state.withLock { state in
            if state.exitStatus == nil { kill(pid, signal) }
        }
    }

    /// SIGTERM, wait up to `grace` for exit, then SIGKILL; always waits until reaped, then stops
    /// the companions. Squid needs ~1.8–2 s even with `shutdown_lifetime 0` (SIGINT is no
    /// faster: its shutdown steps run on a 1 s tick); the resolvers need 5–40 ms.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> StopReport {
        let report = await stopProcessOnly(grace: grace)
        for companion in companions { await companion.stop(grace: grace) }
        return report
    }

    /// Stops this process but leaves its companions running: a failed start attempt must not
    /// take down the upstream that the retry is about to use (it did, before this existed).
    @discardableResult
    fileprivate func stopProcessOnly(grace: Duration) async -> StopReport {
        let start = ContinuousClock.now
        send(SIGTERM)
        var killed = false
        while pollExit() == nil {
            if ContinuousClock.now - start > grace, !killed {
                send(SIGKILL)
                killed = true
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return StopReport(duration: ContinuousClock.now - start, neededSIGKILL: killed, status: pollExit())
    }

    /// Synchronous variant for `deinit` (which cannot await).
    private func stopBlocking(grace: Duration = .seconds(10)) {
        let start = ContinuousClock.now
        send(SIGTERM)
        var killed = false
        while pollExit() == nil {
            if ContinuousClock.now - start > grace, !killed {
                send(SIGKILL)
                killed = true
            }
            usleep(5_000)
        }
    }

    deinit {
        stopBlocking()
        if !keepDaemonDirectories { try? FileManager.default.removeItem(at: directory) }
    }
}

/// A loopback socket kind that must be open before a daemon counts as ready.
///
/// Read from /proc/net/{tcp,udp} instead of probing: Squid 5 logs "Accepting HTTP Socket
/// connections" *before* its async TcpAcceptor job calls listen() (a connect right after the log
/// line was refused once under load), and a probe connection would itself leave a
/// `NONE_NONE/000 … error:transaction-end-before-headers` line in access.log.
enum LoopbackSocket: String, Sendable {
    case tcpListen = "tcp"
    case udp = "udp"

    /// True when some socket is bound to 127.0.0.1:`port` (TCP: in LISTEN state, `0A`).
    func isOpen(port: UInt16) -> Bool {
        let wanted = "0100007F:" + String(format: "%04X", port)
        let table = readProcFile("/proc/net/\(rawValue)")
        return table.split(separator: "\n").dropFirst().contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1] == wanted && (self == .udp || fields[3] == "0A")
        }
    }
}

/// What a readiness check saw in the daemon's logs.
private enum Readiness {
    case ready
    case notYet
    case failed(String)
}

/// Log lines (lowercased) that mean "somebody else holds the port": squid, unbound, dnsmasq say
/// "Address already in use"; named says "address in use" for TCP, and for UDP only
/// "creating IPv4 interface lo failed; interface ignored" then "unable to listen on any configured
/// interfaces" before exiting with code 1.
private let portClashMarkers = ["address already in use", "address in use", "unable to listen on any configured interfaces"]

/// Spawns a daemon and waits until `check` reports it ready, or it dies, or `timeout` passes;
/// on failure the daemon is stopped and the thrown error carries its log.
private func launch(
    name: String, executable: DaemonBinary, arguments: [String], directory: URL, port: UInt16,
    companions: [RealDaemon] = [], extraLogs: [URL] = [], sockets: [LoopbackSocket], timeout: Duration = .seconds(20),
    afterExit: @escaping @Sendable () -> Void = {}, check: (String) -> Readiness
) async throws -> RealDaemon {
    let consoleLog = directory.appendingPathComponent("console.log")
    let start = ContinuousClock.now
    let pid = try spawnChild(try executable.path(), arguments, logFile: consoleLog)
    try writeFile("\(getpid()) \(pid)", named: "owner", in: directory)
    let daemon = RealDaemon(
        name: name, pid: pid, directory: directory, consoleLog: consoleLog, port: port, companions: companions,
        afterExit: afterExit)
    func allLogs() -> String {
        ([consoleLog] + extraLogs).map(readText).joined(separator: "\n")
    }
    func failure(_ reason: String) -> HarnessError {
        HarnessError.startFailed(name, reason: "\(reason) (port \(port), dir \(directory.path))", log: allLogs())
    }
    while true {
        let logs = allLogs()
        let lowered = logs.lowercased()
        if portClashMarkers.contains(where: lowered.contains) {
            await daemon.stopProcessOnly(grace: .seconds(2))
            throw PortInUse(underlying: failure("port \(port) is already in use"))
        }
        switch check(logs) {
        case .ready where sockets.allSatisfy({ $0.isOpen(port: port) }):
            daemon.markReady(after: ContinuousClock.now - start)
            return daemon
        case .ready:
            break  // the log is ahead of the sockets (Squid logs "Accepting" before listen())
        case .failed(let reason):
            await daemon.stopProcessOnly(grace: .seconds(2))
            throw failure(reason)
        case .notYet:
            break
        }
        if let status = daemon.pollExit() {
            // Re-read: the clash message may have been written after the read above.
            if portClashMarkers.contains(where: allLogs().lowercased().contains) {
                throw PortInUse(underlying: failure("port \(port) is already in use"))
            }
            throw failure("it exited (\(status)) before it was ready")
        }
        if ContinuousClock.now - start > timeout {
            await daemon.stopProcessOnly(grace: .seconds(2))
            throw failure("not ready after \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

// MARK: - Test names and the fake internet

/// The names the example tests use; everything under `.test` and `.example` "exists" upstream.
enum TestNames {
    /// Names Squid's hosts file maps to 127.0.0.1 by default (Squid does no DNS in tests).
    static let squidHosts = [
        "corp.example", "notevil.test", "evil.test", "x7k2.evil.test", "host.bad.example",
        "sub.host.bad.example", "phish.example", "www.phish.example",
    ]
}

/// The fake internet for the resolvers: a root zone in which every name under `.test` and
/// `.example` exists (A 127.0.0.1, AAAA ::1, MX), and everything else is NXDOMAIN, so neither
/// named nor unbound ever needs a real root server. Wildcards also answer random subdomains, which
/// proves that an NXDOMAIN for `x7k2.evil.test` comes from the block rule, not from a missing name.
let fakeInternetRootZone = """
    $TTL 300
    . IN SOA localhost. hostmaster.localhost. 1 3600 600 604800 300
    . IN NS localhost.
    localhost. IN A 127.0.0.1
    *.test. IN A 127.0.0.1
    *.test. IN AAAA ::1
    *.test. IN MX 10 mail.test.
    *.example. IN A 127.0.0.1
    *.example. IN AAAA ::1
    *.example. IN MX 10 mail.example.

    """

// MARK: - Squid

/// Writes a Squid `hosts_file` mapping `names` to 127.0.0.1 (so Squid needs no DNS server).
func writeSquidHostsFile(names: [String] = TestNames.squidHosts, in directory: URL) throws -> URL {
    try writeFile("127.0.0.1 \(names.joined(separator: " "))\n", named: "hosts", in: directory)
}

/// A Squid that proxies on 127.0.0.1, denies `hostwatch_blocked` and allows localhost otherwise.
struct SquidProxy: Sendable {
    let daemon: RealDaemon
    var port: UInt16 { daemon.port }
    var accessLog: URL { daemon.directory.appendingPathComponent("access.log") }
    var cacheLog: URL { daemon.directory.appendingPathComponent("cache.log") }

    /// All access.log lines so far (Squid writes a line when a transaction *ends*, which can be
    /// a moment after the client got its response; use ``accessLogLine(for:timeout:)`` to wait).
    var accessLogLines: [String] {
        readText(accessLog).split(separator: "\n").map(String.init)
    }

    /// ``httpViaProxy(proxyPort:url:timeout:)`` through this Squid; a failure carries Squid's state
    /// and the tail of its cache.log, which is what you need when a request goes wrong.
    func get(_ url: String, timeout: Duration = .seconds(15)) throws -> HTTPResult {
        do {
            return try httpViaProxy(proxyPort: port, url: url, timeout: timeout)
        } catch {
            let state = daemon.pollExit().map { "exited: \($0)" } ?? "running (pid \(daemon.pid))"
            throw HarnessError(
                "\(error)\nsquid on port \(port) is \(state); cache.log tail:\n\(readText(cacheLog).tail(lines: 30))")
        }
    }

    /// Waits for the access.log line of a request to `url` (as Squid logs it: lowercased host,
    /// no trailing dot; CONNECT requests are logged as `host:port`).
    func accessLogLine(for url: String, timeout: Duration = .seconds(5)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = accessLogLines.last(where: { $0.contains(" \(url) ") }) { return line }
            if ContinuousClock.now > deadline {
                throw HarnessError("no access.log line for \(url) after \(timeout); log:\n\(readText(accessLog))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The squid.conf lines every harness Squid shares; offline and fast to start and stop.
private func squidBaseConfig(directory: URL, hostsFile: URL) -> String {
    let dir = directory.path
    return """
        visible_hostname hostwatch-test
        pid_filename \(dir)/squid.pid
        cache_log \(dir)/cache.log
        access_log stdio:\(dir)/access.log
        cache_store_log none
        netdb_filename none
        coredump_dir \(dir)
        pinger_enable off
        cache deny all
        hosts_file \(hostsFile.path)
        dns_nameservers 127.0.0.1
        dns_timeout 3 seconds
        shutdown_lifetime 0 seconds

        """
}

/// The ACL lines exactly as an operator would add them for hostwatch.
private func squidHostwatchACL(aclFile: URL) -> String {
    """
    acl hostwatch_blocked dstdomain "\(aclFile.path)"
    http_access deny hostwatch_blocked
    http_access allow localhost
    http_access deny all

    """
}

/// Starts Squid 5 as an HTTP proxy on 127.0.0.1:<free port> with `aclFile` as the dstdomain ACL.
///
/// Runs `squid -N` (no master/kid fork, no daemonising) so the spawned PID is the proxy, with a
/// unique service name (`-n`) so parallel squids do not share /dev/shm segments.
/// As root Squid drops to `proxy` *before* it opens access.log, so its scratch directory is
/// chowned to `proxy` (without that: "FATAL: Cannot open '…/access.log' for writing").
/// `hostsFile` defaults to one mapping ``TestNames/squidHosts`` to 127.0.0.1.
func startSquid(aclFile: URL, hostsFile: URL? = nil) async throws -> SquidProxy {
    try await withFreshPort { port in
        let dir = try makeScratchDirectory("squid")
        let hosts = try hostsFile ?? writeSquidHostsFile(in: dir)
        let config = "http_port 127.0.0.1:\(port)\n" + squidBaseConfig(directory: dir, hostsFile: hosts)
            + squidHostwatchACL(aclFile: aclFile)
        let conf = try writeFile(config, named: "squid.conf", in: dir)
        try giveDirectory(dir, toUser: "proxy")
        let service = "hostwatch" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try writeFile(service, named: "shm-service", in: dir)
        let daemon = try await launch(
            name: "squid", executable: .squid, arguments: ["-N", "-d", "1", "-n", service, "-f", conf.path],
            directory: dir, port: port, extraLogs: [dir.appendingPathComponent("cache.log")], sockets: [.tcpListen],
            afterExit: { removeSquidSharedMemory(service: service) }
        ) { log in
            if log.contains("FATAL:") { return .failed("squid reported FATAL") }
            return log.contains("Accepting HTTP Socket connections") ? .ready : .notYet
        }
        return SquidProxy(daemon: daemon)
    }
}

/// Squid 5.7 creates `/dev/shm/<service>-cf__{metadata,queues,readers}.shm` even with `-N`,
/// with O_EXCL: two squids with one service name (the default is "squid") cannot run at once
/// ("FATAL: Ipc::Mem::Segment::create failed to shm_open(/squid-cf__queues.shm): (17) File
/// exists"), and a SIGKILLed squid leaves them behind. Hence a unique `-n` per instance, and this.
private func removeSquidSharedMemory(service: String) {
    let shm = "/dev/shm"
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: shm)) ?? [] where entry.hasPrefix(service + "-") {
        unlink("\(shm)/\(entry)")
    }
}

// MARK: - Origin HTTP server

/// A tiny HTTP/1.1 origin on 127.0.0.1:<ephemeral port> that answers every request with
/// `200 OK` and a body naming the Host it was asked for, so "allowed through the proxy" is a
/// real 200 from a real server. Runs on its own `Thread` (blocking accept), never on the Swift
/// concurrency pool, so a test blocked in ``httpViaProxy(proxyPort:url:timeout:)`` cannot starve it.
final class OriginServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("origin socket: \(errnoText())") }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw HarnessError("origin bind/listen: \(errnoText())")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: actual.sin_port)
        let done = finished
        Thread.detachNewThread {
            OriginServer.serve(listener: fd)
            done.signal()
        }
    }

    private static func serve(listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // shutdown(listener) wakes accept with EINVAL: we are done
            }
            setTimeouts(client, seconds: 5)
            let request = readUntilHeadersEnd(client)
            let host = request.split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("host:") }
                .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) } ?? "?"
            let body = "hostwatch origin: host=\(host)\n"
            let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + body
            sendAll(client, response)
            close(client)
        }
    }

    /// Stops accepting and waits for the server thread to finish (idempotent).
    func stop() {
        let first = stopped.withLock { wasStopped in
            defer { wasStopped = true }
            return !wasStopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = finished.wait(timeout: .now() + 5)
        close(listener)
    }

    deinit { stop() }
}

private func setTimeouts(_ fd: Int32, seconds: Int) {
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
}

private func readUntilHeadersEnd(_ fd: Int32) -> String {
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while data.count < 65536 {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        data += buffer[0..<count]
        if data.count >= 4, data.suffix(4).elementsEqual([13, 10, 13, 10]) { break }
    }
    return String(decoding: data, as: UTF8.self)
}

private func sendAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent <= 0 { return }
        bytes = bytes.dropFirst(sent)
    }
}

// MARK: - HTTP client through the proxy

/// Status line, headers and (undecoded) body of one response.
struct HTTPResult: Sendable {
    var status: Int
    var headers: String
    var body: String
}

/// Sends `GET <absolute url>` to the proxy on 127.0.0.1:`proxyPort` and reads the whole response
/// (`Connection: close`). Plain sockets rather than URLSession: FoundationNetworking's proxy
/// support on Linux is libcurl-shaped and not worth the surprises here. For `https://` URLs
/// a `CONNECT host:443` is sent instead, which is how a browser would meet the block.
func httpViaProxy(proxyPort: UInt16, url: String, timeout: Duration = .seconds(15)) throws -> HTTPResult {
    guard let parsed = URL(string: url), let host = parsed.host else { throw HarnessError("bad URL \(url)") }
    let request: String
    if parsed.scheme == "https" {
        let authority = "\(host):\(parsed.port ?? 443)"
        request = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n\r\n"
    } else {
        let authority = parsed.port.map { "\(host):\($0)" } ?? host
        request = "GET \(url) HTTP/1.1\r\nHost: \(authority)\r\nUser-Agent: hostwatch-harness\r\n"
            + "Connection: close\r\n\r\n"
    }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket: \(errnoText())") }
    defer { close(fd) }
    setTimeouts(fd, seconds: max(1, Int(timeout.components.seconds)))
    var address = loopbackAddress(port: proxyPort)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw HarnessError("connect to proxy 127.0.0.1:\(proxyPort): \(errnoText())") }
    sendAll(fd, request)
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        data += buffer[0..<count]
        // A CONNECT that succeeds leaves the tunnel open; the response head is all we want.
        if parsed.scheme == "https", String(decoding: data, as: UTF8.self).contains("\r\n\r\n") { break }
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let headEnd = text.range(of: "\r\n\r\n") else {
        throw HarnessError("no HTTP response from proxy for \(url); got: \(text.prefix(200))")
    }
    let head = String(text[..<headEnd.lowerBound])
    let statusLine = head.split(separator: "\r\n").first ?? ""
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let status = Int(parts[1]) else { throw HarnessError("bad status line: \(statusLine)") }
    return HTTPResult(status: status, headers: head, body: String(text[headEnd.upperBound...]))
}

// MARK: - named (BIND 9.18) with a response policy zone

/// Starts `named -g` on 127.0.0.1:<free port> as a recursive resolver with `rpzZoneFile` loaded
/// as the primary zone `zoneName` and listed in `response-policy`.
///
/// Offline by construction: named is also primary for the fake root zone
/// (``fakeInternetRootZone``), so it never needs a root server. Measured on 9.18.49: RPZ *does*
/// rewrite answers that come from the server's own authoritative zones, but only for queries
/// with RD=1 (`recursive-only yes` is the default; pass `policyOptions: "recursive-only no"` to
/// also rewrite RD=0 queries). `dnsQuery` sends RD=1 like every stub resolver.
///
/// Runs as root without `-u` (nothing to chown); `controls { };` because the default control
/// channel would make parallel instances fight over 127.0.0.1:953.
/// Ready means: the log says "running" *and* "rpz: <zone>: reload done"; named answers queries
/// before that, and a zone that fails to load leaves named running with *no* policy at all,
/// so "zone <zone>/IN: not loaded due to errors" is turned into a start failure here.
func startNamed(rpzZoneFile: URL, zoneName: String = "rpz.hostwatch", policyOptions: String = "") async throws
    -> RealDaemon
{
    try await withFreshPort { port in
        let dir = try makeScratchDirectory("named")
        let d = dir.path
        let root = try writeFile(fakeInternetRootZone, named: "root.zone", in: dir)
        let config = """
            options {
              directory "\(d)";
              pid-file "\(d)/named.pid";
              session-keyfile "\(d)/session.key";
              managed-keys-directory "\(d)";
              dump-file "\(d)/named_dump.db";
              statistics-file "\(d)/named.stats";
              listen-on port \(port) { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion yes;
              allow-query { 127.0.0.1; };
              allow-recursion { 127.0.0.1; };
              dnssec-validation no;
              notify no;
              empty-zones-enable no;
              max-cache-size 32m;
              response-policy { zone "\(zoneName)"; } \(policyOptions);
            };
            controls { };
            zone "." { type primary; file "\(root.path)"; };
            zone "\(zoneName)" { type primary; file "\(rpzZoneFile.path)"; allow-query { none; }; };

            """
        let conf = try writeFile(config, named: "named.conf", in: dir)
        let daemon = try await launch(
            name: "named", executable: .named, arguments: ["-g", "-4", "-n", "1", "-c", conf.path],
            directory: dir, port: port, sockets: [.udp, .tcpListen]
        ) { log in
            if log.contains("zone \(zoneName)/IN: not loaded due to errors") {
                return .failed("the response policy zone \(zoneName) did not load")
            }
            let running = log.contains(" running\n")
            let policyLoaded = log.contains("rpz: \(zoneName): reload done")
            return running && policyLoaded ? .ready : .notYet
        }
        return daemon
    }
}

// MARK: - unbound

/// Starts `unbound -d` on 127.0.0.1:<free port> with `include: "<includeFile>"`.
///
/// The fake root zone is an `auth-zone` with `for-upstream: yes`: unbound treats it as if
/// answers came from the internet, so `local-zone`/`local-data` block rules apply on top of it
/// exactly as in production, and non-blocked names "still answer". `local-zone: "test."
/// nodefault` is essential: unbound serves `test.` (RFC 6761) as a built-in *static* local zone,
/// so without it every `.test` name is NXDOMAIN whatever the block file says.
/// `so-reuseport: no` so that a port clash fails loudly instead of sharing the socket.
/// Pass `unblockTestTLD: false` to see unbound's stock behaviour for `.test`.
func startUnbound(includeFile: URL, unblockTestTLD: Bool = true) async throws -> RealDaemon {
    try await withFreshPort { port in
        let dir = try makeScratchDirectory("unbound")
        let root = try writeFile(fakeInternetRootZone, named: "root.zone", in: dir)
        let config = unboundBaseConfig(directory: dir, port: port, unblockTestTLD: unblockTestTLD) + """
              log-queries: yes
            auth-zone:
              name: "."
              zonefile: "\(root.path)"
              for-downstream: no
              for-upstream: yes
              fallback-enabled: no
            remote-control:
              control-enable: no
            include: "\(includeFile.path)"

            """
        let conf = try writeFile(config, named: "unbound.conf", in: dir)
        return try await launch(
            name: "unbound", executable: .unbound, arguments: ["-d", "-c", conf.path], directory: dir, port: port,
            sockets: [.udp, .tcpListen]
        ) { log in
            log.contains("start of service") ? .ready : .notYet
        }
    }
}

/// The `server:` clause shared by the running unbound and by ``unboundCheckconf(includeFile:)``.
private func unboundBaseConfig(directory: URL, port: UInt16, unblockTestTLD: Bool = true) -> String {
    """
    server:
      interface: 127.0.0.1
      port: \(port)
      do-ip6: no
      do-daemonize: no
      username: ""
      chroot: ""
      directory: "\(directory.path)"
      pidfile: "\(directory.path)/unbound.pid"
      use-syslog: no
      logfile: ""
      verbosity: 1
      access-control: 127.0.0.0/8 allow
      module-config: "iterator"
      num-threads: 1
      so-reuseport: no
      outgoing-port-avoid: 0-32767
    \(unblockTestTLD ? "  local-zone: \"test.\" nodefault\n" : "")
    """
}

// MARK: - dnsmasq

/// Starts `dnsmasq -k` on 127.0.0.1:<free port> whose config says `conf-file=<confFile>`, with a
/// second dnsmasq as its only upstream (`server=127.0.0.1#<port>`), in which every name under
/// `.test` and `.example` exists. A real upstream matters for dnsmasq: without one, names that
/// are not blocked get REFUSED, which would hide whether a rule leaked to subdomains.
/// `cache-size=0` so every non-blocked query really goes upstream, and `query-port` from the
/// harness's own allocator: with random source ports (1024–65535 by default, still random with
/// `min-port`/`max-port`) a forwarded query's reply was lost about once in 60 parallel runs.
/// As root dnsmasq drops to user `dnsmasq` after reading its config and writing its pid file;
/// 0755 directories and 0644 files are all it needs.
func startDnsmasq(confFile: URL) async throws -> RealDaemon {
    let upstream = try await startDnsmasqUpstream()
    return try await withFreshPort { port in
        let dir = try makeScratchDirectory("dnsmasq")
        let queryPort = try freeLoopbackPort()
        let config = """
            port=\(port)
            listen-address=127.0.0.1
            bind-interfaces
            no-resolv
            no-hosts
            no-poll
            query-port=\(queryPort)
            min-port=32768
            max-port=60999
            server=127.0.0.1#\(upstream.port)
            cache-size=0
            pid-file=\(dir.path)/dnsmasq.pid
            log-facility=-
            log-queries
            conf-file=\(confFile.path)

            """
        let conf = try writeFile(config, named: "dnsmasq.conf", in: dir)
        return try await launch(
            name: "dnsmasq", executable: .dnsmasq, arguments: ["-k", "-C", conf.path], directory: dir, port: port,
            companions: [upstream], sockets: [.udp, .tcpListen]
        ) { log in
            log.contains("started, version") ? .ready : .notYet
        }
    }
}

/// The fake internet for dnsmasq: every `.test`/`.example` name is A 127.0.0.1 and AAAA ::1.
private func startDnsmasqUpstream() async throws -> RealDaemon {
    try await withFreshPort { port in
        let dir = try makeScratchDirectory("dnsmasq-upstream")
        let config = """
            port=\(port)
            listen-address=127.0.0.1
            bind-interfaces
            no-resolv
            no-hosts
            no-poll
            min-port=32768
            max-port=60999
            pid-file=\(dir.path)/dnsmasq.pid
            log-facility=-
            log-queries
            address=/test/127.0.0.1
            address=/test/::1
            address=/example/127.0.0.1
            address=/example/::1

            """
        let conf = try writeFile(config, named: "dnsmasq.conf", in: dir)
        return try await launch(
            name: "dnsmasq-upstream", executable: .dnsmasq, arguments: ["-k", "-C", conf.path],
            directory: dir, port: port, sockets: [.udp, .tcpListen]
        ) { log in
            log.contains("started, version") ? .ready : .notYet
        }
    }
}

// MARK: - DNS queries (dig)

/// One DNS response as dig printed it.
struct DNSAnswer: Sendable, CustomStringConvertible {
    /// "NOERROR", "NXDOMAIN", "REFUSED", "SERVFAIL", …
    var rcode: String
    /// Header flags, e.g. ["qr", "rd", "ra"].
    var flags: [String]
    /// Answer records, whitespace collapsed: "evil.test. 300 IN A 127.0.0.1".
    var answers: [String]
    /// Authority records (the SOA of an NXDOMAIN/NODATA tells who synthesised it).
    var authority: [String]
    /// dig's full output, for failure messages.
    var raw: String

    /// Rdata of the answer records of `type`, e.g. `records("A") == ["127.0.0.1"]`.
    func records(_ type: String) -> [String] {
        answers.compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 4)
            guard fields.count == 5, fields[3] == type else { return nil }
            return String(fields[4])
        }
    }

    /// NOERROR with no answer records.
    var isNoData: Bool { rcode == "NOERROR" && answers.isEmpty }

    var description: String {
        "\(rcode) [\(flags.joined(separator: " "))] answers=\(answers) authority=\(authority)"
    }
}

/// Asks 127.0.0.1:`port` for `name`/`type` with `dig` (RD=1 unless `recurse` is false).
/// Up to 3 tries of 2 s: on loopback an answer takes milliseconds, but with four suites running
/// at once on 2 cores a single 2 s try once timed out (1 in 80 runs). A block is always an
/// *answer* (NXDOMAIN/NODATA/sinkhole), never a timeout, so retrying hides nothing.
func dnsQuery(port: UInt16, name: String, type: String = "A", recurse: Bool = true) async throws -> DNSAnswer {
    let result = try await runTool(
        try DaemonBinary.dig.path(),
        [
            "@127.0.0.1", "-p", String(port), "+tries=3", "+time=2", recurse ? "+recurse" : "+norecurse",
            name, type,
        ])
    return try parseDig(result, query: "\(name)/\(type) on port \(port)")
}

private func parseDig(_ result: ToolResult, query: String) throws -> DNSAnswer {
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard result.exitCode == 0, let header = lines.first(where: { $0.contains("->>HEADER<<-") }),
        let statusRange = header.range(of: "status: ")
    else {
        throw HarnessError("dig got no answer for \(query) (exit \(result.exitCode)):\n\(result.output)")
    }
    let rcode = String(header[statusRange.upperBound...].prefix { $0 != "," })
    let flags = lines.first { $0.hasPrefix(";; flags:") }
        .map { $0.dropFirst(10).prefix { $0 != ";" }.split(separator: " ").map(String.init) } ?? []
    func section(_ title: String) -> [String] {
        guard let start = lines.firstIndex(of: ";; \(title) SECTION:") else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }.map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }
    }
    return DNSAnswer(
        rcode: rcode, flags: flags, answers: section("ANSWER"), authority: section("AUTHORITY"), raw: result.output)
}

// MARK: - Checkers

/// `named-checkzone -k <checkNames> <zoneName> <file>`.
///
/// `checkNames` defaults to "fail" because that is what *named* applies to a primary zone
/// (`check-names primary fail`), while named-checkzone's own default is only "warn": a `_` in an
/// owner name with an `A` action (walled garden) passes the default check but makes named
/// reject the whole RPZ zone and run with no policy. Exit code 1 on a load failure. Out-of-zone
/// lines (absolute names, a wrong `$ORIGIN`) are only reported as "ignoring out-of-zone data"
/// with exit 0, so check `output` for that too.
func namedCheckzone(zoneName: String, file: URL, checkNames: String = "fail") async throws -> ToolResult {
    try await runTool(try DaemonBinary.namedCheckzone.path(), ["-k", checkNames, zoneName, file.path])
}

/// `unbound-checkconf` on a minimal unbound.conf that does `include: "<includeFile>"`.
/// Exit 1 on a syntax error, a bad `local-zone` type or unparsable `local-data`; a duplicate
/// `local-zone` is only a warning (exit 0).
func unboundCheckconf(includeFile: URL) async throws -> ToolResult {
    let dir = try makeScratchDirectory("unbound-check")
    defer { if !keepDaemonDirectories { try? FileManager.default.removeItem(at: dir) } }
    let conf = try writeFile(
        unboundBaseConfig(directory: dir, port: 53) + "include: \"\(includeFile.path)\"\n", named: "unbound.conf",
        in: dir)
    return try await runTool(try DaemonBinary.unboundCheckconf.path(), [conf.path])
}

/// `dnsmasq --test --conf-file=<confFile>` (`--conf-file` also stops it reading
/// /etc/dnsmasq.conf). Exit 1 on a bad option or a malformed `address=`, 3 on an unreadable
/// file. It does *not* validate the names inside `address=/…/`.
func dnsmasqTest(confFile: URL) async throws -> ToolResult {
    try await runTool(try DaemonBinary.dnsmasq.path(), ["--test", "--conf-file=\(confFile.path)"])
}

/// `squid -k parse -f <conf>` on a minimal squid.conf that includes `aclFile` as hostwatch would.
/// Exit 1 on FATAL (e.g. "Bungled … line N: acl hostwatch_blocked dstdomain …" when the file has
/// both `a.example.com` and, *later*, `.example.com`). A missing ACL file is only an ERROR and
/// an empty ACL a Warning: both exit 0.
func squidParse(aclFile: URL) async throws -> ToolResult {
    let dir = try makeScratchDirectory("squid-parse")
    defer { if !keepDaemonDirectories { try? FileManager.default.removeItem(at: dir) } }
    let hosts = try writeSquidHostsFile(in: dir)
    let conf = try writeFile(
        "http_port 127.0.0.1:3128\n" + squidBaseConfig(directory: dir, hostsFile: hosts)
            + squidHostwatchACL(aclFile: aclFile), named: "squid.conf", in: dir)
    return try await runTool(try DaemonBinary.squid.path(), ["-k", "parse", "-f", conf.path])
}
