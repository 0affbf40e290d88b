import BlockRules
public import LogParsing
public import Watchlist

/// What `hostwatch run` does, as read from its TOML file (see `ConfigLoader`).
public struct DaemonConfig: Sendable, Equatable {
    public struct Source: Sendable, Equatable {
        public var name: String
        public var paths: [String]
        /// A format of the catalog, or `auto`.
        public var format: String
        /// Settings for the formats that need them (`json`, `csv`, `tsv`, `squid-logformat`).
        public var options: FormatOptions = FormatOptions()
        public var startAtEnd: Bool
        public var timeZone: LogTimeZone
        public var maxLineBytes: Int
    }

    public struct Sink: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case jsonl(path: String, fsync: FsyncPolicy)
            case stdout
        }
        public var kind: Kind
        public var onError: SinkErrorPolicy
        /// `jsonl:<path>` or `stdout`: unique, names the sink in metrics and checkpoints.
        public var name: String {
            switch kind {
            case .jsonl(let path, _): "jsonl:" + path
            case .stdout: "stdout"
            }
        }
    }

    public var stateDirectory: String
    /// The formats sources may name: the built-in ones and the definitions of `parsers_dir`.
    public var catalog = ParserCatalog()
    /// `parsers_dir`: where the user's format definitions are (`*.toml`); `nil`: none.
    public var parsersDirectory: String?
    public var sources: [Source]
    public var watchFiles: [String]
    public var allowFiles: [String]
    /// What loading does with an invalid watchlist line.
    public var invalidEntries: InvalidEntryPolicy = .reject
    public var sinks: [Sink]
    /// Block files re-rendered from the watchlist at start, on every reload and when an entry
    /// expires.
    public var blocklists: [BlocklistSpec] = []
    public var publicSuffixList: String = PublicSuffixList.debianPath
    /// The visit index (`visits.sqlite` in the state directory); `[index] enabled = false`
    /// turns it off.
    public var indexEnabled = true
    /// Days of visits the index keeps.
    public var indexRetentionDays = 90
    /// `host:port` for `/metrics`, `/healthz` and the `/v1` API; `nil` turns the endpoint off.
    public var listen: String?
    /// `[api] token_file`, read when the configuration is loaded: the bearer token that the API's
    /// routes changing the watchlist ask for. Without one those routes are off (403).
    public var apiToken: APIToken?
    /// Where `POST /v1/watchlist` keeps the entries it adds: loaded after the configured watch
    /// files, so an entry a configured list also has keeps the configured list's metadata.
    public var apiWatchFile: String { stateDirectory + "/api-watchlist.txt" }

    init(
        stateDirectory: String, sources: [Source], watchFiles: [String], allowFiles: [String], sinks: [Sink],
        listen: String?
    ) {
        self.stateDirectory = stateDirectory
        self.sources = sources
        self.watchFiles = watchFiles
        self.allowFiles = allowFiles
        self.sinks = sinks
        self.listen = listen
    }
    public var pollIntervalMillis: Int64 = 1000
    public var checkpointIntervalMillis: Int64 = 1000
    public var rotateWaitMillis: Int64 = 10_000
    public var partialLineWaitMillis: Int64 = 5_000
}

