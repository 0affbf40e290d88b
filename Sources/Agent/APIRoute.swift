public import Hummingbird

/// The `/v1` routes: the one list the server registers from and the OpenAPI document is
/// checked against, so the two cannot drift apart.
public enum APIRoute: CaseIterable, Sendable {
    case visited
    case hits
    case listWatchlist
    case addWatchlist
    case removeWatchlist

    public var method: HTTPRequest.Method {
        switch self {
        case .visited, .hits, .listWatchlist: .get
        case .addWatchlist: .post
        case .removeWatchlist: .delete
        }
    }

    /// In OpenAPI's template syntax, which Hummingbird's router also reads.
    public var path: String {
        switch self {
        case .visited: "/v1/visited"
        case .hits: "/v1/hits"
        case .listWatchlist, .addWatchlist: "/v1/watchlist"
        case .removeWatchlist: "/v1/watchlist/{domain}"
        }
    }

    /// Routes that change the watchlist always need the bearer token.
    public var changesWatchlist: Bool { method != .get }

    /// The query parameters the route takes.
    var parameters: [String] {
        switch self {
        case .visited: ["domain", "since", "exact"]
        case .hits: ["since", "list", "limit"]
        case .listWatchlist, .addWatchlist: []
        case .removeWatchlist: ["exact"]
        }
    }
}
