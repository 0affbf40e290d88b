#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd how the daemon is doing: the `sd_notify(3)` protocol without libsystemd.
///
/// A service with `Type=notify` must say `READY=1` when it is up, otherwise systemd times the
/// start out; `WatchdogSec=` expects `WATCHDOG=1` pings; and `RELOADING=1`/`STOPPING=1` let
/// `systemctl` show what is going on. The protocol is one datagram per message, sent to the
/// `AF_UNIX`/`SOCK_DGRAM` socket that systemd names in `$NOTIFY_SOCKET`. That is small enough to
/// do here with Glibc, so the binary does not link libsystemd.
///
/// Outside systemd (`$NOTIFY_SOCKET` unset) the notifier is disabled and every call returns
/// `false` without doing anything, so the daemon runs unchanged in a terminal or a test.
///
/// ```swift
/// let systemd = SystemdNotifier.fromEnvironment()
/// // … config loaded, API port bound …
/// systemd.ready()
/// ```
///
/// The socket path is passed in rather than read on every call so that tests can point a
/// notifier at their own socket without touching the process environment, which Swift Testing
/// shares between tests running in parallel.
public struct SystemdNotifier: Sendable, Hashable {
    /// The socket messages go to: a file system path, or `@name` for the Linux abstract namespace.
    /// `nil` when the notifier is disabled.
    public let socketPath: String?

    /// A notifier sending to `socketPath`; `nil` or `""` gives a disabled notifier.
    ///
    /// - Parameter socketPath: the value of `$NOTIFY_SOCKET`: an absolute path, or `@name` for
    ///   an abstract socket.
    public init(socketPath: String?) {
        if let socketPath, !socketPath.isEmpty {
            self.socketPath = socketPath
        } else {
            self.socketPath = nil
        }
    }

    /// A notifier for the socket named in `$NOTIFY_SOCKET`, disabled when it is unset.
    ///
    /// The variable is read once, here. (`sd_notify(3)` can unset it for child processes; we
    /// leave the environment alone, and `NotifyAccess=main` makes systemd ignore children anyway.)
    public static func fromEnvironment() -> SystemdNotifier {
        SystemdNotifier(socketPath: getenv("NOTIFY_SOCKET").map { String(cString: $0) })
    }

    /// Whether there is a socket to send to, that is whether we run under systemd with `Type=notify`.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state`, one or more newline-separated `KEY=value` assignments, as one datagram.
    ///
    /// - Parameter state: for example `"READY=1"` or `"STATUS=tailing 3 files"`.
    /// - Returns: `true` if the whole datagram was sent; `false` when the notifier is disabled,
    ///   the socket path is unusable (neither `/…` nor `@…`, or too long), or `sendto` failed
    ///   (typically: nobody listens on the socket). Callers usually ignore it: a daemon must not
    ///   stop because systemd could not be told something.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath, var address = Self.socketAddress(socketPath) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = Array(state.utf8)
        let sent = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address.storage) { storage in
                storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddr in
                    var result: Int
                    repeat {
                        // MSG_NOSIGNAL: a vanished listener must not raise SIGPIPE in the daemon.
                        result = sendto(
                            fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), sockaddr, address.length)
                    } while result < 0 && errno == EINTR
                    return result
                }
            }
        }
        return sent == message.count
    }

    /// `READY=1`: start-up finished (or, after ``reloading()``, the reload finished).
    @discardableResult
    public func ready() -> Bool { notify("READY=1") }

    /// `RELOADING=1` with `MONOTONIC_USEC` set to now on `CLOCK_MONOTONIC`.
    ///
    /// Send it when a reload (SIGHUP) begins and ``ready()`` when it is done. systemd 253 and
    /// later want the timestamp to tell this reload from an earlier one; older versions ignore it.
    @discardableResult
    public func reloading() -> Bool {
        notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `STOPPING=1`: the daemon is shutting down (send it as soon as SIGTERM arrives).
    @discardableResult
    public func stopping() -> Bool { notify("STOPPING=1") }

    /// `WATCHDOG=1`: the keep-alive ping that `WatchdogSec=` expects, see ``watchdogInterval(usec:pid:ownPID:)``.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// `STATUS=text`: a one-line status that `systemctl status` shows.
    ///
    /// Line breaks in `text` become spaces: a newline would end the assignment and start another.
    @discardableResult
    public func status(_ text: String) -> Bool {
        let oneLine = String(text.map { $0.isNewline ? " " : $0 })
        return notify("STATUS=\(oneLine)")
    }

    /// How often to send ``watchdog()``: half of `WATCHDOG_USEC`, as `sd_watchdog_enabled(3)` advises.
    ///
    /// Takes the variables as arguments so that tests need not set the environment; the daemon
    /// calls ``watchdogIntervalFromEnvironment()``.
    ///
    /// - Parameters:
    ///   - usec: the value of `$WATCHDOG_USEC`, the watchdog timeout in microseconds.
    ///   - pid: the value of `$WATCHDOG_PID`: the process the watchdog is meant for, if set.
    ///   - ownPID: this process's id.
    /// - Returns: `nil` when there is no watchdog: `usec` unset, 0 or not a number, or `pid` set
    ///   to anything but `ownPID` (the variables were inherited from a parent).
    public static func watchdogInterval(usec: String?, pid: String?, ownPID: Int32) -> Duration? {
        guard let usec, let microseconds = Int64(usec), microseconds > 0 else { return nil }
        if let pid {
            guard let target = Int32(pid), target == ownPID else { return nil }
        }
        return .microseconds(microseconds / 2)
    }

    /// ``watchdogInterval(usec:pid:ownPID:)`` for `$WATCHDOG_USEC`, `$WATCHDOG_PID` and `getpid()`.
    public static func watchdogIntervalFromEnvironment() -> Duration? {
        watchdogInterval(
            usec: getenv("WATCHDOG_USEC").map { String(cString: $0) },
            pid: getenv("WATCHDOG_PID").map { String(cString: $0) },
            ownPID: getpid())
    }

    /// Now on `CLOCK_MONOTONIC`, in microseconds: the clock systemd uses for `MONOTONIC_USEC`.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// A `sockaddr_un` and the length to pass with it, or `nil` for an unusable path.
    ///
    /// `@name` becomes a leading NUL (the abstract namespace). Abstract names are not
    /// NUL-terminated, and every byte up to the length counts, so the length must be exact.
    private static func socketAddress(_ path: String) -> (storage: sockaddr_un, length: socklen_t)? {
        var bytes = Array(path.utf8)
        switch bytes.first {
        case UInt8(ascii: "/"): bytes.append(0)
        case UInt8(ascii: "@"): bytes[0] = 0
        default: return nil
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        return (address, socklen_t(pathOffset + bytes.count))
    }
}
