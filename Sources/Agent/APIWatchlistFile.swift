#if canImport(Glibc)
import Glibc
#endif
import DomainMatch
import HTTPTypes
import LogTailing
import Watchlist

/// `<state_dir>/api-watchlist.txt`: the watch entries added through `POST /v1/watchlist`, in
/// the plain list format, so the loader reads them like any list and an operator can read them
/// like any list.
///
/// An actor, so two requests never interleave their read-change-write of the file. Each change
/// rewrites the whole file (a temporary file, fsync, rename, fsync of the directory): after a
/// crash the file is the old one or the new one, never half of each.
actor APIWatchlistFile {
    let path: String

    init(path: String) {
        self.path = path
    }

    /// The entries in the file, in file order; none when there is no file yet.
    ///
    /// - Throws: when the file cannot be read, or a line of it (edited by hand) is not valid: a
    ///   rewrite would lose that line, so no change is made until it is fixed.
    func entries() throws(APIError) -> [PlainListLine] {
        let bytes: [UInt8]
        do {
            bytes = try ConfigLoader.readFile(path)
        } catch {
            if case .cannotOpen(_, let code) = error, code == ENOENT { return [] }
            throw APIError(.internalServerError, "cannot read the API watchlist: \(error.description)")
        }
        var lines: [PlainListLine] = []
        for (number, text) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            switch PlainListLine.parse(String(text)) {
            case .none: continue
            case .success(let line): lines.append(line)
            case .failure(let error):
                throw APIError(
                    .internalServerError,
                    "\(path):\(number + 1): \(error.reason); fix or remove that line (the API rewrites the whole file)")
            }
        }
        return lines
    }

    /// Adds `lines`; one on the same name and scope as an entry of the file replaces it (in
    /// place, so the file keeps its order).
    func add(_ lines: [PlainListLine]) throws(APIError) {
        var entries = try entries()
        for line in lines {
            if let i = entries.firstIndex(where: { Self.sameEntry($0, line) }) {
                entries[i] = line
            } else {
                entries.append(line)
            }
        }
        try write(entries)
    }

    /// Removes the entries on `name` (of `scope`, or of both scopes when `nil`).
    ///
    /// - Returns: the entries removed; the file is left alone when there are none.
    func remove(name: String, scope: MatchScope?) throws(APIError) -> [PlainListLine] {
        let entries = try entries()
        let removed = entries.filter { $0.name == name && (scope == nil || $0.scope == scope) }
        if !removed.isEmpty {
            try write(entries.filter { !($0.name == name && (scope == nil || $0.scope == scope)) })
        }
        return removed
    }

    /// What makes two lines one entry for the loader (a second one would be a duplicate).
    static func sameEntry(_ a: PlainListLine, _ b: PlainListLine) -> Bool {
        a.name == b.name && a.kind == b.kind && a.scope == b.scope
    }

    static let header = """
        # hostwatch: watch entries added through the HTTP API (POST /v1/watchlist).
        # Rewritten whole on every change: edit through the API (comments here are not kept).
        # After editing by hand, send the daemon SIGHUP.


        """

    func write(_ entries: [PlainListLine]) throws(APIError) {
        let text = Self.header + entries.map { $0.text + "\n" }.joined()
        let temporary = path + ".tmp"
        func fail(_ what: String, _ code: Int32) -> APIError {
            APIError(.internalServerError, "cannot save the API watchlist: \(what): \(String(cString: strerror(code)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw fail("open \(temporary)", errno) }
        var written = 0
        let bytes = Array(text.utf8)
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw fail("write \(temporary)", code)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw fail("fsync \(temporary)", code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw fail("rename \(temporary) to \(path)", code)
        }
        // The rename itself is only durable once the directory is.
        let directory = open(Self.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw fail("open \(Self.directory(of: path))", errno) }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw fail("fsync \(Self.directory(of: path))", errno) }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
