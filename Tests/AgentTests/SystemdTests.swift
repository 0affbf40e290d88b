import Agent
// Glibc's `stat`, `timespec` and `timeval` reach this test target through Dispatch's clang
// module too (Hummingbird's graph), and with MemberImportVisibility their members then need
// that module imported by name.
import CDispatch
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The systemd side of hostwatch: the unit file checked offline with `systemd-analyze`, the
/// `sd_notify` protocol against a socket of our own, and `deploy/install.sh` into a temporary
/// root. Tests that need `systemd-analyze` or `systemd-sysusers` fail (not skip) without them:
/// CI installs Debian's `systemd` package.
@Suite struct SystemdTests {
    static let deploy = repositoryRoot.appendingPathComponent("deploy")
    static let unitFile = deploy.appendingPathComponent("hostwatch.service")

    // MARK: - The unit file

    @Suite struct Unit {
        /// `verify` only warns about unknown keys and bad values and still exits 0, so the check
        /// is "exit 0 and not a word of output".
        ///
        /// `verify` insists that `ExecStart=` names an existing executable, so the copy points it
        /// at the `hostwatch` binary this test run built. `User=hostwatch`, which does not exist
        /// here, needs no substitute: `verify` does not resolve users (checked with systemd 252).
        @Test func verifyIsSilent() throws {
            let result = try verify(unitText: try unitForVerify())
            #expect(result.output == "")
            #expect(result.status == 0)
        }

        /// The negative control: the same check notices a misspelt key, so it can fail.
        @Test func verifyReportsAMisspeltKey() throws {
            let unit = try unitForVerify()
            let broken = unit.replacingOccurrences(of: "\nType=notify\n", with: "\nTyp=notify\n")
            try #require(broken != unit)
            let result = try verify(unitText: broken)
            #expect(result.output.contains("Unknown key 'Typ' in section [Service], ignoring."))
        }

        /// The exposure score of the sandbox, offline. The threshold (in tenths) sits just above
        /// the score measured with systemd 252 (1.1), so a weakened sandbox fails here.
        @Test func securityExposureStaysLow() throws {
            let threshold = 12
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let unit = directory.appendingPathComponent("hostwatch.service")
            try unitForVerify().write(to: unit, atomically: true, encoding: .utf8)
            let result = try run(
                systemdAnalyze, ["security", "--offline=true", "--threshold=\(threshold)", unit.path])
            let match = try #require(
                result.output.firstMatch(of: /Overall exposure level for hostwatch\.service: (\d+\.\d)/),
                "no score in:\n\(result.output)")
            let score = try #require(Double(match.1))
            print("systemd-analyze security --offline=true: exposure \(score) (threshold \(Double(threshold) / 10))")
            #expect(score <= Double(threshold) / 10)
            #expect(result.status == 0, "\(result.output)")
        }

        /// The unit says what the brief and the README promise.
        @Test func keySettings() throws {
            let lines = Set(try String(contentsOf: unitFile, encoding: .utf8).split(separator: "\n").map(String.init))
            for expected in [
                "Type=notify", "NotifyAccess=main",
                "ExecStart=/usr/local/bin/hostwatch run --config /etc/hostwatch/hostwatch.toml",
                "ExecReload=kill -HUP $MAINPID", "Restart=on-failure", "WatchdogSec=30s", "TimeoutStopSec=15s",
                "User=hostwatch", "Group=hostwatch", "SupplementaryGroups=proxy adm",
                "StateDirectory=hostwatch", "ConfigurationDirectory=hostwatch",
                "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                "NoNewPrivileges=yes", "CapabilityBoundingSet=", "AmbientCapabilities=",
                "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources",
                "SystemCallArchitectures=native", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                "ReadOnlyPaths=-/var/log/squid", "IPAddressDeny=any", "IPAddressAllow=localhost",
            ] {
                #expect(lines.contains(expected), "missing: \(expected)")
            }
            #expect(!lines.contains { $0.hasPrefix("DynamicUser=") })
        }

        /// The sysusers snippet parses and creates the user the unit runs as.
        @Test func sysusersSnippetCreatesTheUser() throws {
            let root = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
            let snippet = deploy.appendingPathComponent("sysusers.d/hostwatch.conf")
            let result = try run("/usr/bin/systemd-sysusers", ["--root=\(root.path)", snippet.path])
            #expect(result.status == 0, "\(result.output)")
            let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
            let group = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
            let user = /hostwatch:x:(\d+):(\d+):hostwatch log watcher:\/var\/lib\/hostwatch:\/usr\/sbin\/nologin\n/
            #expect(passwd.wholeMatch(of: user) != nil, "\(passwd)")
            #expect(group.wholeMatch(of: /hostwatch:x:\d+:\n/) != nil, "\(group)")
        }

        /// deploy/hostwatch.service with `ExecStart` pointing at the built binary.
        private func unitForVerify() throws -> String {
            let original = try String(contentsOf: unitFile, encoding: .utf8)
            let unit = original.replacingOccurrences(
                of: "\nExecStart=/usr/local/bin/hostwatch ", with: "\nExecStart=\(hostwatchBinary.path) ")
            try #require(unit != original, "ExecStart=/usr/local/bin/hostwatch not found in the unit")
            return unit
        }

        /// Runs `systemd-analyze verify` on `unitText` saved as hostwatch.service in a fresh directory.
        private func verify(unitText: String) throws -> CommandResult {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let unit = directory.appendingPathComponent("hostwatch.service")
            try unitText.write(to: unit, atomically: true, encoding: .utf8)
            return try run(systemdAnalyze, ["verify", "--man=no", unit.path])
        }
    }

    // MARK: - sd_notify

    @Suite struct Notifier {
        @Test func messagesArriveIntactOnAPathSocket() throws {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("notify.sock").path
            let listener = try DatagramListener(address: path)
            try exchange(listener, SystemdNotifier(socketPath: path))
        }

        @Test func messagesArriveIntactOnAnAbstractSocket() throws {
            let name = "@hostwatch-test-\(UUID().uuidString)"
            let listener = try DatagramListener(address: name)
            try exchange(listener, SystemdNotifier(socketPath: name))
        }

        @Test func disabledNotifierDoesNothing() {
            for notifier in [SystemdNotifier(socketPath: nil), SystemdNotifier(socketPath: "")] {
                #expect(!notifier.isEnabled)
                #expect(notifier.socketPath == nil)
                #expect(!notifier.notify("READY=1"))
                #expect(!notifier.ready())
                #expect(!notifier.reloading())
                #expect(!notifier.stopping())
                #expect(!notifier.watchdog())
                #expect(!notifier.status("x"))
            }
            #expect(SystemdNotifier(socketPath: "/run/systemd/notify").isEnabled)
            #expect(SystemdNotifier.fromEnvironment().isEnabled == (getenv("NOTIFY_SOCKET") != nil))
        }

        @Test func unusableSocketsReturnFalse() throws {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            // Nobody listening, a relative path, a path longer than sun_path.
            #expect(!SystemdNotifier(socketPath: directory.appendingPathComponent("none.sock").path).ready())
            #expect(!SystemdNotifier(socketPath: "notify.sock").ready())
            #expect(!SystemdNotifier(socketPath: "/" + String(repeating: "x", count: 200)).ready())
            #expect(!SystemdNotifier(socketPath: "@hostwatch-test-nobody-\(UUID().uuidString)").ready())
        }

        @Test(
            arguments: [
                ("30000000", nil, 100, Duration.seconds(15)),
                ("30000000", "100", 100, .seconds(15)),
                ("3", nil, 100, .microseconds(1)),
                ("30000000", "101", 100, nil),
                ("30000000", "", 100, nil),
                ("30000000", "pid", 100, nil),
                (nil, nil, 100, nil),
                (nil, "100", 100, nil),
                ("0", nil, 100, nil),
                ("", nil, 100, nil),
                ("-30000000", nil, 100, nil),
                ("30s", nil, 100, nil),
                ("99999999999999999999", nil, 100, nil),
            ] as [(String?, String?, Int32, Duration?)])
        func watchdogInterval(usec: String?, pid: String?, ownPID: Int32, expected: Duration?) {
            #expect(SystemdNotifier.watchdogInterval(usec: usec, pid: pid, ownPID: ownPID) == expected)
        }

        @Test func watchdogIntervalFromEnvironmentFollowsTheVariables() {
            let expected = SystemdNotifier.watchdogInterval(
                usec: getenv("WATCHDOG_USEC").map { String(cString: $0) },
                pid: getenv("WATCHDOG_PID").map { String(cString: $0) }, ownPID: getpid())
            #expect(SystemdNotifier.watchdogIntervalFromEnvironment() == expected)
        }

        /// Sends every kind of message and checks each datagram byte for byte.
        private func exchange(_ listener: DatagramListener, _ notifier: SystemdNotifier) throws {
            #expect(notifier.isEnabled)
            #expect(notifier.ready())
            #expect(listener.receive() == "READY=1")

            let before = monotonicMicroseconds()
            #expect(notifier.reloading())
            let after = monotonicMicroseconds()
            let reloading = try #require(listener.receive())
            let match = try #require(reloading.wholeMatch(of: /RELOADING=1\nMONOTONIC_USEC=(\d+)/), "\(reloading)")
            let stamp = try #require(UInt64(match.1))
            #expect(before <= stamp && stamp <= after)

            #expect(notifier.stopping())
            #expect(listener.receive() == "STOPPING=1")
            #expect(notifier.watchdog())
            #expect(listener.receive() == "WATCHDOG=1")
            #expect(notifier.status("tailing 3 files; 12 hits"))
            #expect(listener.receive() == "STATUS=tailing 3 files; 12 hits")
            #expect(notifier.status("two\nlines\r\nhere"))
            #expect(listener.receive() == "STATUS=two lines here")
            #expect(notifier.notify("STATUS=x\nERRNO=5"))
            #expect(listener.receive() == "STATUS=x\nERRNO=5")
            let long = "STATUS=" + String(repeating: "é", count: 2000)
            #expect(notifier.notify(long))
            #expect(listener.receive() == long)
        }
    }

    // MARK: - deploy/install.sh

    @Suite struct InstallScript {
        static let installedFiles = [
            "etc/hostwatch/hostwatch.toml",
            "etc/hostwatch/parsers/haproxy-http.toml",
            "etc/hostwatch/parsers/nginx-forward-proxy.toml",
            "etc/hostwatch/parsers/pihole.toml",
            "etc/hostwatch/parsers/squid-common.toml",
            "etc/hostwatch/parsers/squid-native-regex.toml",
            "etc/hostwatch/parsers/technitium.toml",
            "etc/hostwatch/parsers/template.toml.example",
            "etc/hostwatch/rules/allow.txt",
            "etc/hostwatch/rules/watched.txt",
            "etc/logrotate.d/hostwatch",
            "etc/systemd/system/hostwatch.service",
            "etc/sysusers.d/hostwatch.conf",
            "usr/local/bin/hostwatch",
            "usr/local/lib/hostwatch/squid-check-acl",
        ]

        @Test func installsExactlyTheseFiles() throws {
            let root = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            let result = try install(into: root)
            #expect(result.status == 0, "\(result.output)")
            #expect(try files(under: root) == Self.installedFiles)

            for (installed, source) in [
                ("etc/hostwatch/hostwatch.toml", "deploy/hostwatch.toml"),
                ("etc/hostwatch/rules/allow.txt", "rules/allow.txt"),
                ("etc/hostwatch/parsers/pihole.toml", "parsers/pihole.toml"),
                ("etc/hostwatch/parsers/template.toml.example", "parsers/template.toml.example"),
                ("etc/hostwatch/rules/watched.txt", "rules/watched.txt"),
                ("etc/logrotate.d/hostwatch", "deploy/logrotate/hostwatch"),
                ("etc/systemd/system/hostwatch.service", "deploy/hostwatch.service"),
                ("etc/sysusers.d/hostwatch.conf", "deploy/sysusers.d/hostwatch.conf"),
            ] {
                #expect(try contents(root, installed) == contents(repositoryRoot, source), "\(installed)")
                #expect(try mode(root, installed) == 0o644, "\(installed)")
            }
            #expect(try contents(root, "usr/local/bin/hostwatch") == Data(contentsOf: hostwatchBinary))
            #expect(try mode(root, "usr/local/bin/hostwatch") == 0o755)
            #expect(try contents(root, "usr/local/lib/hostwatch/squid-check-acl") == contents(repositoryRoot, "deploy/squid-check-acl"))
            #expect(try mode(root, "usr/local/lib/hostwatch/squid-check-acl") == 0o755)
            #expect(result.stdout.contains("installed /etc/hostwatch/hostwatch.toml\n"))
            #expect(result.stdout.contains("systemctl daemon-reload && systemctl enable --now hostwatch\n"))
        }

        @Test func aSecondRunKeepsTheAdministratorsFiles() throws {
            let root = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            #expect(try install(into: root).status == 0)

            let config = root.appendingPathComponent("etc/hostwatch/hostwatch.toml")
            let watched = root.appendingPathComponent("etc/hostwatch/rules/watched.txt")
            let unit = root.appendingPathComponent("etc/systemd/system/hostwatch.service")
            let localConfig = Data("state_dir = \"/srv/hostwatch\"\n".utf8)
            try localConfig.write(to: config)
            try Data("example.org\n".utf8).write(to: watched)
            try Data("[Service]\n".utf8).write(to: unit)

            let second = try install(into: root)
            #expect(second.status == 0, "\(second.output)")
            #expect(try Data(contentsOf: config) == localConfig)
            #expect(try Data(contentsOf: watched) == Data("example.org\n".utf8))
            #expect(second.stdout.contains("kept      /etc/hostwatch/hostwatch.toml (exists; "))
            // The unit is hostwatch's own: a reinstall replaces it.
            #expect(try Data(contentsOf: unit) == contents(repositoryRoot, "deploy/hostwatch.service"))
            #expect(try files(under: root) == Self.installedFiles)
        }

        @Test func prefixMovesTheBinaryAndTheUnitFollows() throws {
            let root = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            let result = try install(into: root, environment: ["PREFIX": "/opt/hostwatch"])
            #expect(result.status == 0, "\(result.output)")
            let binary = root.appendingPathComponent("opt/hostwatch/bin/hostwatch")
            #expect(FileManager.default.isExecutableFile(atPath: binary.path))
            let installedUnit = root.appendingPathComponent("etc/systemd/system/hostwatch.service")
            let unit = try String(contentsOf: installedUnit, encoding: .utf8)
            #expect(
                unit.contains("\nExecStart=/opt/hostwatch/bin/hostwatch run --config /etc/hostwatch/hostwatch.toml\n"))
            #expect(!unit.contains("/usr/local/bin/hostwatch"))
        }

        @Test func usageErrorsExit2() throws {
            let root = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            let result = try run(
                "/bin/sh", [deploy.appendingPathComponent("install.sh").path, "--bogus"],
                environment: ["DESTDIR": root.path, "PATH": "/usr/bin:/bin"])
            #expect(result.status == 2)
            #expect(result.stderr.hasSuffix("install.sh: unknown argument: --bogus\n"))
            #expect(try files(under: root) == [])
        }

        /// `install.sh --no-build --binary <the built hostwatch> --no-check` with `DESTDIR=root`.
        private func install(into root: URL, environment: [String: String] = [:]) throws -> CommandResult {
            let script = deploy.appendingPathComponent("install.sh").path
            var environment = environment
            environment["DESTDIR"] = root.path
            environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
            return try run(
                "/bin/sh", [script, "--no-build", "--binary", hostwatchBinary.path, "--no-check"],
                environment: environment)
        }

        /// Regular files below `root`, relative, sorted.
        private func files(under root: URL) throws -> [String] {
            let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
            return enumerator.compactMap { $0 as? String }.filter { path in
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(
                    atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
                return exists && !isDirectory.boolValue
            }.sorted()
        }

        private func contents(_ root: URL, _ path: String) throws -> Data {
            try Data(contentsOf: root.appendingPathComponent(path))
        }

        private func mode(_ root: URL, _ path: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            return try #require(attributes[.posixPermissions] as? Int)
        }
    }
}

// MARK: - Helpers

private let systemdAnalyze = "/usr/bin/systemd-analyze"

private struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Both streams, as a person would see them.
    var output: String { stdout + stderr }
}

/// Runs `executable` and waits. A missing executable throws, so the test fails rather than skips.
private func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
    -> CommandResult
{
    try #require(
        FileManager.default.isExecutableFile(atPath: executable),
        "\(executable) is missing: install Debian's systemd package (.ci/run does)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment ?? ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
    // Files, not pipes: a chatty child can never block on a full pipe.
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("stdout")
    let err = directory.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}

/// Now on CLOCK_MONOTONIC in microseconds, read independently of the notifier.
private func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}

/// The service manager's end of `$NOTIFY_SOCKET`: a bound `AF_UNIX` datagram socket.
final class DatagramListener {
    private let fd: Int32
    private let path: String?

    /// Binds `address`: a file system path, or `@name` for the abstract namespace.
    init(address: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        if address.hasPrefix("@") {
            bytes[0] = 0  // abstract: a leading NUL, no terminator, the length says where it ends
            path = nil
        } else {
            bytes.append(0)
            path = address
        }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count
        try #require(bytes.count <= MemoryLayout.size(ofValue: storage.sun_path))
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        try #require(bound == 0, "bind \(address): errno \(errno)")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        if let path { unlink(path) }
    }

    /// The next datagram, or `nil` after 5 s without one.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
