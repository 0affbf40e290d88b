import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A swift-log backend that writes one line per event to standard error, in the shape journald
/// understands when it is reading it, and with a UTC timestamp when nobody else adds one.
///
/// Under systemd, standard error is a stream socket to journald, which timestamps every line
/// itself and reads a leading `<N>` as the syslog priority (`SyslogLevelPrefix=yes`, the
/// default). So in journal mode a line is
///
///     <6>watchlist loaded entries=1200 files=2
///
/// and `journalctl -p warning` filters by level. Anywhere else (a terminal, a file, a pipe) the
/// line carries its own time, level and the logger's label:
///
///     2026-11-30T07:52:01.123Z info [hostwatch] watchlist loaded entries=1200 files=2
///
/// Metadata follows the message as `key=value`, sorted by key; a value that is empty or holds
/// white space, `"` or `=` is quoted (`path="/var/log/my squid"`). Line breaks and other
/// control characters in the message, keys and values are escaped (`\n`, `\u001b`), because
/// messages can quote untrusted log lines and one event must stay one line: journald would
/// otherwise split it into entries that no longer belong together, or a terminal would obey an
/// escape sequence.
///
/// Each line goes out in a single `write(2)` under a process-wide lock, so lines from many
/// threads never interleave, whatever their length (the kernel keeps only writes of up to
/// `PIPE_BUF` bytes to a pipe whole, and promises nothing for stream sockets). Errors are
/// dropped: logging must not fail the daemon. Writing to a closed pipe raises `SIGPIPE`; systemd
/// ignores it for services (`IgnoreSIGPIPE=yes`), elsewhere the caller decides.
///
/// Use ``bootstrap(level:fileDescriptor:)`` once in the daemon's `main`; tests construct a handler
/// on a pipe and never touch the global `LoggingSystem`.
public struct JournalLogHandler: LogHandler {
    /// The logger's label, shown in plain mode only: journald knows the process already.
    public let label: String

    /// Where lines go; not owned (never closed) by the handler.
    public let fileDescriptor: Int32

    /// `true` for the journal shape (`<N>` prefix, no timestamp), `false` for the plain one.
    public let usesJournalFormat: Bool

    public var logLevel: Logger.Level = .info

    public var metadata: Logger.Metadata = [:]

    public var metadataProvider: Logger.MetadataProvider?

    /// A handler writing to `fileDescriptor`.
    ///
    /// - Parameters:
    ///   - label: the logger's label.
    ///   - fileDescriptor: where to write; standard error by default.
    ///   - journal: `true` or `false` forces a shape; `nil` picks the journal shape when
    ///     `$JOURNAL_STREAM` names `fileDescriptor` (see ``isJournalStream(_:fileDescriptor:)``).
    public init(label: String, fileDescriptor: Int32 = 2, journal: Bool? = nil) {
        self.label = label
        self.fileDescriptor = fileDescriptor
        self.usesJournalFormat =
            journal ?? Self.isJournalStream(Self.journalStreamVariable, fileDescriptor: fileDescriptor)
        self.metadataProvider = LoggingSystem.metadataProvider
    }

    /// Makes every `Logger` in the process use a `JournalLogHandler` on `fileDescriptor`.
    ///
    /// Call it once, first thing in `main` (`LoggingSystem` allows a single bootstrap). The
    /// journal check runs here once rather than for every logger.
    ///
    /// - Parameters:
    ///   - level: the lowest level that is written.
    ///   - fileDescriptor: where to write; standard error by default.
    public static func bootstrap(level: Logger.Level = .info, fileDescriptor: Int32 = 2) {
        let journal = isJournalStream(journalStreamVariable, fileDescriptor: fileDescriptor)
        LoggingSystem.bootstrap { label in
            var handler = JournalLogHandler(label: label, fileDescriptor: fileDescriptor, journal: journal)
            handler.logLevel = level
            return handler
        }
    }

    /// Whether `fileDescriptor` is the stream systemd connected to journald.
    ///
    /// systemd sets `$JOURNAL_STREAM` to `device:inode` of that stream. Comparing it with
    /// `fstat(2)` of the descriptor, not just checking that the variable exists, matters because
    /// children inherit the variable even when their standard error was redirected elsewhere.
    ///
    /// - Parameters:
    ///   - journalStream: the value of `$JOURNAL_STREAM`, or `nil` when unset.
    ///   - fileDescriptor: the descriptor the handler writes to.
    public static func isJournalStream(_ journalStream: String?, fileDescriptor: Int32) -> Bool {
        guard let journalStream, let colon = journalStream.firstIndex(of: ":"),
            let device = UInt64(journalStream[..<colon]),
            let inode = UInt64(journalStream[journalStream.index(after: colon)...])
        else { return false }
        var status = stat()
        guard fstat(fileDescriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// `$JOURNAL_STREAM`, or `nil` when unset.
    private static var journalStreamVariable: String? {
        getenv("JOURNAL_STREAM").map { String(cString: $0) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let line = format(event, now: usesJournalFormat ? nil : Self.now())
        Self.writeLine(line, to: fileDescriptor)
    }

    /// The line for `event`, newline included. `now` (seconds and milliseconds since the epoch)
    /// is the timestamp of the plain shape and unused in journal mode.
    func format(_ event: LogEvent, now: (seconds: Int, milliseconds: Int)?) -> String {
        var line: String
        if usesJournalFormat {
            line = "<\(Self.syslogPriority(event.level))>"
        } else {
            let (seconds, milliseconds) = now ?? (0, 0)
            line = "\(Self.timestamp(seconds: seconds, milliseconds: milliseconds)) \(event.level) ["
            Self.appendEscaped(label, to: &line)
            line += "] "
        }
        Self.appendEscaped(event.message.description, to: &line)
        for (key, value) in effectiveMetadata(event).sorted(by: { $0.key < $1.key }) {
            line += " "
            Self.appendEscaped(key, to: &line)
            line += "="
            Self.appendValue(value.description, to: &line)
        }
        line += "\n"
        return line
    }

    /// The handler's metadata, overridden by the provider's, overridden by the event's, plus
    /// `error.message`/`error.type` for an attached error: the order `StreamLogHandler` uses.
    private func effectiveMetadata(_ event: LogEvent) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }

    /// The syslog priority journald reads from `<N>`: `LOG_DEBUG` 7 … `LOG_CRIT` 2.
    /// swift-log has no level for `LOG_ALERT`/`LOG_EMERG`, and `trace` shares 7 with `debug`.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `2026-11-30T07:52:01.123Z`: UTC so that lines from hosts in different zones sort and
    /// compare as they are, milliseconds because a tailer logs many events per second.
    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(milliseconds), 3))Z"
    }

    /// Now on the wall clock, truncated to milliseconds.
    private static func now() -> (seconds: Int, milliseconds: Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int(now.tv_sec), Int(now.tv_nsec) / 1_000_000)
    }

    /// Appends `text` with control characters escaped (`\n`, `\r`, `\t` in values, `\u00XX`
    /// otherwise), so the text can never end the line. Tabs are kept in messages and keys.
    private static func appendEscaped(_ text: String, to line: inout String, keepTabs: Bool = true) {
        // Fast path: most messages have nothing to escape.
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepTabs && $0 == "\t") }) else {
            line += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t" where keepTabs: line.unicodeScalars.append(scalar)
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where isControl(scalar): line += "\\u" + hex4(scalar.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
    }

    /// Appends a metadata value, quoted when it is empty or holds white space, `"` or `=` (so it
    /// reads back as one `key=value` pair); inside quotes `\` and `"` are escaped too.
    private static func appendValue(_ value: String, to line: inout String) {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0.properties.isWhitespace || $0 == "\"" || $0 == "=" || isControl($0)
            }
        guard needsQuotes else {
            line += value
            return
        }
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": line += "\\\\"
            case "\"": line += "\\\""
            default: appendEscaped(String(scalar), to: &line, keepTabs: false)
            }
        }
        line += "\""
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Serialises writes from all handlers in the process, so that a line is never interleaved
    /// with another even when the kernel splits a large write.
    private static let writeLock = Mutex(())

    /// Writes all of `line` to `fd`: one `write(2)` unless the kernel takes only part of it.
    private static func writeLine(_ line: String, to fd: Int32) {
        var line = line
        line.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var remaining = bytes.count
            writeLock.withLock { _ in
                while remaining > 0 {
                    let written = write(fd, next, remaining)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // EPIPE, EBADF, EAGAIN …: drop the line rather than fail or spin
                    }
                    next += written
                    remaining -= written
                }
            }
        }
    }
}
