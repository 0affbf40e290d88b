#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds back a new file that adds or removes too many entries at once: a feed outage (the
/// list shrinks to nothing) or a flood (it grows tenfold) must not reach the firewall unseen.
public struct ChangeGuard: Sendable, Equatable {
    /// The largest share of the old file's entries that may be added, or removed, at once.
    public var maxShare: Double = 0.5
    /// Changes of at most this many entries always pass (small lists change by large shares).
    public var floor: Int = 10

    public init(maxShare: Double = 0.5, floor: Int = 10) {
        self.maxShare = maxShare
        self.floor = floor
    }

    /// Why a change from `old` entries by `added` and `removed` is held, or `nil` when it passes.
    public func problem(old: Int, added: Int, removed: Int) -> String? {
        // Nothing to protect in an empty file; a first publication has no file at all.
        guard old > 0 else { return nil }
        let limit = max(Double(floor), maxShare * Double(old))
        if Double(removed) > limit {
            return "it would remove \(removed) of \(old) entries (more than \(Int(maxShare * 100))%; is the feed broken?)"
        }
        if Double(added) > limit {
            return "it would add \(added) entries to \(old) (more than \(Int(maxShare * 100))%; is the feed flooded?)"
        }
        return nil
    }
}

/// One block file to keep current.
public struct BlockTarget: Sendable, Equatable {
    public var format: BlockFormat
    public var path: String
    public var options = BlockFormatOptions()
    /// Checks the candidate file before it replaces the old one; `{}` in an argument is
    /// replaced by the candidate's path. Empty: no check.
    public var validate: [String] = []
    /// Run after the new file is in place (`{}` = its path). Empty: no reload.
    public var reload: [String] = []
    public var changeGuard = ChangeGuard()
    /// Seconds a validator or reload may take before it is killed and counted as failed.
    public var commandTimeout: Double = 60

    public init(format: BlockFormat, path: String) {
        self.format = format
        self.path = path
    }
}

/// What a publication would change.
public struct BlockDiff: Sendable, Equatable {
    public var added: [BlockRule] = []
    public var removed: [BlockRule] = []

    public init() {}

    init(old: BlockSet, new: BlockSet) {
        (added, removed) = BlockSet.difference(old: old, new: new)
    }
}

/// What ``BlockPublisher/publish(_:to:mode:force:now:)`` did.
public struct PublishResult: Sendable {
    public enum Outcome: String, Sendable {
        /// The file already says exactly this: nothing written, nothing reloaded.
        case unchanged
        /// The new file replaced the old one (and the reload command succeeded).
        case published
        /// `check` mode: the new file passed every guard and the validator; nothing replaced.
        case checked
        /// `diff` mode: only the difference was computed.
        case diffed
    }

    public var outcome: Outcome
    public var render: RenderReport
    public var diff: BlockDiff
    /// Entries in the old file (0 when there was none).
    public var previousCount: Int
    /// Entries in the new file.
    public var count: Int
    /// RPZ: the serial written.
    public var serial: UInt32?
}

/// Replaces block files safely: render, guard, validate, swap atomically, reload, and put the
/// old file back if the reload fails.
public enum BlockPublisher {
    /// Publishes `set` to `target`.
    ///
    /// The new file is written next to the old one as `.NAME.hostwatch-new` (a dot-file: daemons
    /// that read a whole directory skip it), fsynced, validated, then renamed over the old one
    /// and the directory fsynced; the old file is kept as `.NAME.prev`. A failing validator
    /// leaves the old file in place; a failing reload puts it back and reloads again.
    ///
    /// - Parameters:
    ///   - force: skip the change guard, and overwrite a file hostwatch did not write.
    ///   - now: Unix seconds, for the RPZ serial.
    public static func publish(
        _ set: BlockSet, to target: BlockTarget, mode: PublishMode = .publish, force: Bool = false,
        now: Int64
    ) throws(BlockRulesError) -> PublishResult {
        try target.options.check(for: target.format)
        let format = target.format
        let path = target.path
        let oldBytes = try readFileIfExists(path)
        let old = oldBytes.map { ParsedBlockFile.read($0, format: format) }
        if let old, !old.looksWritten(by: format), !force {
            let why =
                old.firstUnknownLine.map { "line \($0.number) ('\($0.text.prefix(80))') is not one hostwatch writes" }
                ?? "it has no hostwatch header"
            throw BlockRulesError(
                "\(path): exists and was not written by hostwatch (\(why)); move it away, or use --force to overwrite it",
                kind: .foreignFile)
        }

        // An unchanged list renders to the same bytes with the same serial: leave it alone.
        var serial: UInt32? = nil
        var rendered = BlockRenderer.render(set, format: format, options: target.options, serial: old?.serial ?? 1)
        if let oldBytes, rendered.bytes == oldBytes, mode != .diff {
            return PublishResult(
                outcome: .unchanged, render: rendered.report, diff: BlockDiff(),
                previousCount: old?.entries.count ?? 0, count: old?.entries.count ?? 0, serial: old?.serial)
        }
        if format == .rpz {
            serial = nextSerial(after: old?.serial, now: now)
            rendered = BlockRenderer.render(set, format: format, options: target.options, serial: serial!)
        }
        let new = ParsedBlockFile.read(rendered.bytes, format: format)
        let diff = BlockDiff(old: old?.entries ?? BlockSet(), new: new.entries)
        var result = PublishResult(
            outcome: .diffed, render: rendered.report, diff: diff, previousCount: old?.entries.count ?? 0,
            count: new.entries.count, serial: serial)
        if mode == .diff { return result }

        if !force,
            let problem = target.changeGuard.problem(
                old: old?.entries.count ?? 0, added: diff.added.count, removed: diff.removed.count)
        {
            throw BlockRulesError("\(path): not replaced: \(problem); the old file stays (use --force to publish anyway)", kind: .changeGuard)
        }

        let (directory, base) = split(path)
        let candidate = "\(directory)/.\(base).hostwatch-new"
        // The new file keeps the old one's mode and owner (the daemons reading it rely on them).
        let existing = statIfExists(path)
        let fileMode: mode_t = existing.map { $0.st_mode & 0o7777 } ?? 0o644
        let owner = existing.map { ($0.st_uid, $0.st_gid) }
        try writeDurably(
            rendered.bytes, to: candidate, mode: fileMode, owner: owner)
        if !target.validate.isEmpty {
            let check = CommandRunner.run(target.validate.map { $0.replacingPlaceholder(with: candidate) }, timeout: target.commandTimeout)
            if !check.succeeded {
                unlink(candidate)
                throw BlockRulesError(
                    "\(path): the validator rejected the new file (\(check.summary)); the old file stays", kind: .validation)
            }
        }
        if mode == .check {
            unlink(candidate)
            result.outcome = .checked
            return result
        }

        let previous = "\(directory)/.\(base).prev"
        if let oldBytes {
            try writeDurably(oldBytes, to: previous, mode: fileMode, owner: nil)
        }
        try replace(candidate, with: path, directory: directory)
        if !target.reload.isEmpty {
            let reload = CommandRunner.run(target.reload.map { $0.replacingPlaceholder(with: path) }, timeout: target.commandTimeout)
            if !reload.succeeded {
                var restored = "the previous file was put back"
                if let oldBytes {
                    do {
                        try writeDurably(oldBytes, to: candidate, mode: fileMode, owner: owner)
                        try replace(candidate, with: path, directory: directory)
                        let again = CommandRunner.run(target.reload.map { $0.replacingPlaceholder(with: path) }, timeout: target.commandTimeout)
                        if !again.succeeded { restored += ", but reloading it failed too (\(again.summary))" }
                    } catch {
                        restored = "putting the previous file back failed: \(error)"
                    }
                } else {
                    unlink(path)
                    restored = "there was no previous file, so the new one was removed"
                }
                throw BlockRulesError("\(path): the reload command failed (\(reload.summary)); \(restored)", kind: .reload)
            }
        }
        result.outcome = .published
        return result
    }

    /// The next SOA serial: the current time when that is ahead of the old serial in RFC 1982
    /// serial arithmetic (so a clock set back never makes it go backwards), else old + 1.
    public static func nextSerial(after old: UInt32?, now: Int64) -> UInt32 {
        let candidate = UInt32(truncatingIfNeeded: now)
        guard let old else { return candidate }
        let ahead = candidate &- old
        return ahead != 0 && ahead < 0x8000_0000 ? candidate : old &+ 1
    }

    static func split(_ path: String) -> (directory: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    static func statIfExists(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// Writes `bytes` to `path` (created or truncated) and fsyncs it; an fsync error is a
    /// failed write, never retried.
    static func writeDurably(_ bytes: [UInt8], to path: String, mode: mode_t, owner: (uid_t, gid_t)?) throws(BlockRulesError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw BlockRulesError("\(path): cannot create: \(String(cString: strerror(errno)))", kind: .io) }
        defer { close(fd) }
        // The umask may have narrowed the mode; the daemon reading the file needs it as asked.
        fchmod(fd, mode)
        if let owner, getuid() == 0 { _ = fchown(fd, owner.0, owner.1) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw BlockRulesError("\(path): write failed: \(reason)", kind: .io)
            }
            written += n
        }
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw BlockRulesError("\(path): fsync failed: \(reason)", kind: .io)
        }
    }

    /// Renames `candidate` over `path` and fsyncs the directory, so the swap survives a crash.
    static func replace(_ candidate: String, with path: String, directory: String) throws(BlockRulesError) {
        guard rename(candidate, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(candidate)
            throw BlockRulesError("\(path): cannot replace: \(reason)", kind: .io)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { return }
        defer { close(dirFD) }
        if fsync(dirFD) != 0 {
            throw BlockRulesError("\(directory): fsync of the directory failed: \(String(cString: strerror(errno)))", kind: .io)
        }
    }
}

/// Whether a publication replaces the file, only checks it, or only says what would change.
public enum PublishMode: Sendable {
    case publish
    /// Render, guard and validate; replace nothing.
    case check
    /// Compute the difference to the current file; write nothing.
    case diff
}

extension String {
    func replacingPlaceholder(with path: String) -> String {
        replacing("{}", with: path)
    }
}

/// The whole file, or `nil` when it does not exist.
func readFileIfExists(_ path: String) throws(BlockRulesError) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
        if errno == ENOENT { return nil }
        throw BlockRulesError("\(path): cannot read: \(String(cString: strerror(errno)))", kind: .io)
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        if n < 0 { throw BlockRulesError("\(path): read failed: \(String(cString: strerror(errno)))", kind: .io) }
        if n == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<n])
    }
}
