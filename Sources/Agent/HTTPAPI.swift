import Dispatch
import DomainMatch
import Foundation
import HTTPTypes
import Hummingbird
import VisitIndex
import Watchlist

/// The `/v1` JSON API: who visited a domain, the hits kept in the index, and the watchlist,
/// which it can add to and remove from through its own list file.
///
/// Reads come from the daemon's open ``VisitIndex`` (its WAL readers never wait for the
/// ingestion thread's writes) and from the watchlist the ``Reloader`` holds. A change is written
/// to the API's list file first and then goes through an ordinary reload, so it reaches the
/// matcher, the block files and everything else a reload does, exactly as an edit of a
/// configured list would.
struct HTTPAPI: Sendable {
    let reloader: Reloader
    /// The ingestion thread's figures: their reload count says when it has swapped a new
    /// watchlist in.
    let snapshot: SnapshotBox
    /// `nil` with `[index] enabled = false`: the index routes answer 503.
    let visitIndex: VisitIndex?
    let file: APIWatchlistFile
    /// Whether the read routes need the token too: when the API listens beyond loopback, the
    /// index says who visited what, which is not for everyone on the network.
    let readsNeedToken: Bool

    static let maxBodyBytes = 4 << 20
    static let maxHitsLimit = 10_000
    static let defaultHitsLimit = 100

    func register(on router: Router<BasicRequestContext>) {
        for route in APIRoute.allCases {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                await respond(route, request, context)
            }
        }
    }

    func respond(_ route: APIRoute, _ request: Request, _ context: BasicRequestContext) async -> Response {
        do {
            if route.changesWatchlist || readsNeedToken {
                try Self.authorize(
                    request.headers[.authorization], token: await reloader.current.0.apiToken,
                    changesWatchlist: route.changesWatchlist)
            }
            let query = try APIQuery(request.uri, known: route.parameters)
            switch route {
            case .visited: return try await visited(query)
            case .hits: return try await hits(query)
            case .listWatchlist: return await listWatchlist()
            case .addWatchlist: return try await addWatchlist(body: try await Self.collect(request.body))
            case .removeWatchlist: return try await removeWatchlist(context.parameters.get("domain") ?? "", query)
            }
        } catch {
            return error.response
        }
    }

    // MARK: - Auth

    /// Passes with the right bearer token; anything else is a 401 that asks for one, or a 403
    /// when no token is configured (then nobody may change the watchlist over HTTP).
    static func authorize(_ header: String?, token: APIToken?, changesWatchlist: Bool) throws(APIError) {
        guard let token else {
            throw APIError(
                .forbidden,
                changesWatchlist
                    ? "changing the watchlist over the API is off: set [api] token_file in the configuration"
                    : "this route needs [api] token_file when the API listens beyond loopback")
        }
        guard let header else {
            throw APIError(.unauthorized, "this route needs an Authorization: Bearer <token> header", challenge: true)
        }
        let scheme = header.prefix(7)
        guard scheme.lowercased() == "bearer " else {
            throw APIError(.unauthorized, "the Authorization header must be Bearer <token>", challenge: true)
        }
        guard token.matches(header.dropFirst(7)) else {
            throw APIError(.unauthorized, "the bearer token is not valid", challenge: true)
        }
    }

    // MARK: - The index

    func index(for route: String) throws(APIError) -> VisitIndex {
        guard let visitIndex else {
            throw APIError(
                .serviceUnavailable, "the visit index is off ([index] enabled = false): \(route) has nothing to answer from")
        }
        return visitIndex
    }

    func visited(_ query: APIQuery) async throws(APIError) -> Response {
        let index = try index(for: "/v1/visited")
        let domain = try query.domain("domain")
        let since = try query.sinceMillis(now: TimeWindow.nowMillis())
        let exact = try query.bool("exact") ?? false
        let report = try await Self.offCooperativePool { try index.visited(domain, sinceMillis: since, exact: exact) }
        return Self.json(.ok, VisitReportText.json(report, sinceMillis: since))
    }

    func hits(_ query: APIQuery) async throws(APIError) -> Response {
        let index = try index(for: "/v1/hits")
        let since = try query.sinceMillis(now: TimeWindow.nowMillis())
        let limit = try query.integer("limit", in: 1...Self.maxHitsLimit, default: Self.defaultHitsLimit)
        let list = query.string("list")
        if list == "" { throw .badRequest("list must not be empty (leave it out for every list)") }
        let hits = try await Self.offCooperativePool { try index.hits(sinceMillis: since, list: list, limit: limit) }
        // The hits as the sinks wrote them, not re-encoded.
        return Self.json(.ok, APIJSON.list("hits", hits.map(\.json)))
    }

    /// Runs a blocking index read on a Dispatch thread: a slow query (a popular domain over 90
    /// days) must not hold one of the few threads every task of the process shares.
    static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws(APIError) -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { try work() }) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw APIError(.internalServerError, "the visit index could not answer: \(error)")
        }
    }

    // MARK: - The watchlist

    func listWatchlist() async -> Response {
        let watchlist = await reloader.current.1
        var items: [String] = []
        items.reserveCapacity(watchlist.watchCount)
        watchlist.matcher.forEachEntry { entry in
            guard entry.role == .watch else { return }
            items.append(
                APIJSON.entry(
                    name: String(decoding: entry.name, as: UTF8.self), exact: entry.scope == .exact,
                    metadata: watchlist.metadata(for: entry.value), file: watchlist.file(for: entry.value)))
        }
        return Self.json(.ok, APIJSON.list("entries", items))
    }

    func addWatchlist(body: [UInt8]) async throws(APIError) -> Response {
        let lines = try APIWatchEntryInput.parse(body, now: Int64(Date().timeIntervalSince1970))
        let watchlist = await reloader.current.1
        for (i, line) in lines.enumerated() {
            if let owner = Self.owner(of: line, in: watchlist), owner != file.path {
                throw APIError(
                    .conflict, "entries[\(i)]: \(Self.display(line)) is already watched from \(owner), which the API cannot change")
            }
        }
        try await file.add(lines)
        try await reload(because: "API: added " + Self.summary(lines)) { watchlist in
            lines.allSatisfy { Self.owner(of: $0, in: watchlist) == file.path }
        }
        return Self.json(.ok, APIJSON.list("added", lines.map { APIJSON.entry($0, file: file.path) }))
    }

    func removeWatchlist(_ raw: String, _ query: APIQuery) async throws(APIError) -> Response {
        let text = raw.removingPercentEncoding ?? raw
        let scope: MatchScope? = try query.bool("exact").map { $0 ? .exact : .domainAndSubdomains }
        if text.contains(where: { $0.isWhitespace || $0 == "#" || $0 == "=" }) {
            throw .badRequest("domain: '\(text)' contains a space, '#' or '=': give the name alone (and ?exact=true for an exact entry)")
        }
        let line: PlainListLine
        switch PlainListLine.parse(text) {
        case .success(let parsed)?: line = parsed
        case .failure(let error)?: throw .badRequest("domain: \(error.reason)")
        case nil: throw .badRequest("domain is required: DELETE /v1/watchlist/<domain>")
        }
        let watchlist = await reloader.current.1
        let removed = try await file.remove(name: line.name, scope: line.kind == .name ? scope : nil)
        guard !removed.isEmpty else {
            for candidateScope in [MatchScope.domainAndSubdomains, .exact] where scope == nil || scope == candidateScope {
                var candidate = line
                candidate.scope = candidateScope
                if let owner = Self.owner(of: candidate, in: watchlist), owner != file.path {
                    throw APIError(
                        .conflict, "\(Self.display(candidate)) comes from \(owner), which the API cannot change; remove it there")
                }
            }
            throw APIError(.notFound, "\(line.name) is not in the API watchlist")
        }
        try await reload(because: "API: removed " + Self.summary(removed)) { watchlist in
            removed.allSatisfy { Self.owner(of: $0, in: watchlist) != file.path }
        }
        return Self.json(.ok, APIJSON.list("removed", removed.map { APIJSON.entry($0, file: file.path) }))
    }

    /// Reloads, checks that the reloaded watchlist shows the change, and waits until the
    /// ingestion thread has swapped it in, so that a line read after the answer is matched
    /// against it. A reload that failed (another list broke meanwhile) leaves the change saved
    /// but not applied, and says so.
    func reload(
        because reason: String, applied: @Sendable (Watchlist) -> Bool
    ) async throws(APIError) {
        // A reload posted by someone else just before ours and taken alone could end the wait
        // one round early; that costs at most one round, never a change.
        let appliedBefore = snapshot.load().reloads
        await reloader.reload(because: reason)
        guard applied(await reloader.current.1) else {
            throw APIError(
                .internalServerError,
                "saved to \(file.path), but the reload failed (the daemon's log says why): the change applies at the next successful reload")
        }
        // The thread takes a reload at the start of its next round and publishes its figures at
        // most every 200 ms; a stalled thread (see /healthz) is not waited for past 5 s.
        let deadline = ContinuousClock.now + .seconds(5)
        while snapshot.load().reloads <= appliedBefore, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The file the loaded watch entry on the line's name and scope came from, if there is one.
    static func owner(of line: PlainListLine, in watchlist: Watchlist) -> String? {
        let on = Array(line.name.utf8).withUnsafeBytes { watchlist.matcher.entries(onName: $0, kind: line.kind) }
        guard let value = line.scope == .exact ? on.exactWatch : on.domainWatch else { return nil }
        return watchlist.file(for: value)
    }

    static func display(_ line: PlainListLine) -> String {
        (line.scope == .exact && line.kind == .name ? "=" : "") + line.name
    }

    static func summary(_ lines: [PlainListLine]) -> String {
        let names = lines.prefix(3).map(display).joined(separator: ", ")
        return lines.count > 3 ? names + " and \(lines.count - 3) more" : names
    }

    // MARK: - HTTP

    static func collect(_ body: RequestBody) async throws(APIError) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= maxBodyBytes else {
                    throw APIError(.contentTooLarge, "the body is larger than \(maxBodyBytes >> 20) MiB")
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.badRequest, "the body could not be read: \(error)")
        }
        return bytes
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
