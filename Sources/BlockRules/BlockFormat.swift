import DomainMatch

/// The file formats hostwatch writes block rules in, one per daemon or product.
public enum BlockFormat: String, CaseIterable, Sendable {
    /// A Squid `dstdomain` ACL file: `.evil.com` (and subdomains), `host.evil.com` (exact).
    case squid
    /// A BIND Response Policy Zone: `name CNAME .` and `*.name CNAME .`.
    case rpz
    /// Unbound `local-zone:` lines (exact names: `local-data:` answers).
    case unbound
    /// dnsmasq `address=/name/` lines (always the name and its subdomains).
    case dnsmasq
    /// A Palo Alto External Dynamic List of domains: `name` and `*.name` lines.
    case edl
    /// `0.0.0.0 name` lines: exact names only, subdomains are not covered.
    case hosts
    /// One name per line.
    case plain

    /// A domain entry in this format also blocks its subdomains, so entries under a written
    /// domain entry are left out (Squid even refuses to start on such a pair).
    public var coversSubdomains: Bool {
        switch self {
        case .hosts, .plain: false
        default: true
        }
    }

    /// The comment that starts the file's header line, or `nil` for formats without comments.
    var commentPrefix: String? {
        switch self {
        case .rpz: ";"
        case .edl, .plain: nil
        default: "#"
        }
    }

    var title: String {
        switch self {
        case .squid: "Squid dstdomain ACL"
        case .rpz: "BIND Response Policy Zone"
        case .unbound: "Unbound local zones"
        case .dnsmasq: "dnsmasq address rules"
        case .edl: "Palo Alto External Dynamic List"
        case .hosts: "hosts file"
        case .plain: "plain name list"
        }
    }
}

/// What a DNS block answers.
public enum BlockAnswer: Sendable, Equatable, CustomStringConvertible {
    /// "No such name" (the default).
    case nxdomain
    /// The name exists but has no records of the asked type.
    case nodata
    /// REFUSED (Unbound `always_refuse`).
    case refuse
    /// 0.0.0.0 and :: (Unbound `always_null`, dnsmasq `#`, hosts files).
    case null
    /// dnsmasq `local=/name/`: answered from local data only, so NXDOMAIN.
    case local
    /// A walled garden: an address or a name that shows users a "blocked" page.
    case redirect(RedirectTarget)

    public var description: String {
        switch self {
        case .nxdomain: "nxdomain"
        case .nodata: "nodata"
        case .refuse: "refuse"
        case .null: "null"
        case .local: "local"
        case .redirect(let target): "redirect to \(target)"
        }
    }

    /// Parses `nxdomain`, `nodata`, `refuse`, `null`, `local`, or `redirect` with `redirectTo`.
    public static func parse(_ policy: String, redirectTo: String?) throws(BlockRulesError) -> BlockAnswer {
        switch policy {
        case "nxdomain": return .nxdomain
        case "nodata": return .nodata
        case "refuse": return .refuse
        case "null": return .null
        case "local": return .local
        case "redirect":
            guard let redirectTo else { throw BlockRulesError("policy 'redirect' needs redirect_to (an address or a name)") }
            return .redirect(try RedirectTarget.parse(redirectTo))
        default:
            throw BlockRulesError("unknown policy '\(policy)' (known: nxdomain, nodata, refuse, null, local, redirect)")
        }
    }
}

/// Where a walled-garden answer points.
public enum RedirectTarget: Sendable, Equatable, CustomStringConvertible {
    case ipv4(String)
    case ipv6(String)
    case name(String)

    public var description: String {
        switch self {
        case .ipv4(let a), .ipv6(let a), .name(let a): a
        }
    }

    public static func parse(_ text: String) throws(BlockRulesError) -> RedirectTarget {
        switch HostNormalizer.normalize(text) {
        case .success(let host) where host.kind == .ipv4:
            return .ipv4(host.name)
        case .success(let host) where host.kind == .ipv6:
            // The matcher's canonical IPv6 form is bracketed; zone files want it bare.
            return .ipv6(String(host.name.filter { $0 != "[" && $0 != "]" }))
        case .success(let host) where BlockName.problem(host.name) == nil:
            return .name(host.name)
        default:
            throw BlockRulesError("redirect_to '\(text)' is not an IP address or a valid host name")
        }
    }
}

/// How one format is rendered.
public struct BlockFormatOptions: Sendable, Equatable {
    /// DNS formats: what a blocked name answers. `hosts`: `null` (0.0.0.0) or a redirect address.
    public var answer: BlockAnswer = .nxdomain
    /// RPZ: the zone's name (its `$ORIGIN`); it must match the zone in named.conf.
    public var rpzZone: String = "rpz.hostwatch"
    /// RPZ: the zone's TTL and negative-caching TTL, in seconds.
    public var ttl: Int = 300
    /// EDL: the most lines the firewall takes from one list; over it, the lowest-risk entries
    /// are left out and reported.
    public var edlMaxLines: Int = 150_000

    public init() {}

    /// Whether `format` can give `answer`, and the zone name is valid.
    public func check(for format: BlockFormat) throws(BlockRulesError) {
        let supported: Bool =
            switch (format, answer) {
            case (.squid, .nxdomain), (.edl, .nxdomain), (.plain, .nxdomain): true
            case (.rpz, .nxdomain), (.rpz, .nodata), (.rpz, .redirect): true
            case (.unbound, .nxdomain), (.unbound, .nodata), (.unbound, .refuse), (.unbound, .null): true
            case (.unbound, .redirect(.ipv4)), (.unbound, .redirect(.ipv6)): true
            case (.dnsmasq, .nxdomain), (.dnsmasq, .local), (.dnsmasq, .null): true
            case (.dnsmasq, .redirect(.ipv4)), (.dnsmasq, .redirect(.ipv6)): true
            case (.hosts, .nxdomain), (.hosts, .null), (.hosts, .redirect(.ipv4)), (.hosts, .redirect(.ipv6)): true
            default: false
            }
        guard supported else { throw BlockRulesError("the \(format.rawValue) format cannot answer '\(answer)'") }
        if format == .rpz, BlockName.problem(rpzZone) != nil {
            throw BlockRulesError("rpz zone '\(rpzZone)' is not a valid zone name")
        }
        if format == .rpz, !(1...604_800).contains(ttl) { throw BlockRulesError("ttl must be 1 to 604800 seconds") }
        if format == .edl, edlMaxLines < 1 { throw BlockRulesError("edl max_entries must be at least 1") }
    }
}
