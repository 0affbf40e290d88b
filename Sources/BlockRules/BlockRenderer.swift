import DomainMatch

/// What rendering one format did beyond writing the entries.
public struct RenderReport: Sendable, Equatable {
    /// Entries written.
    public var written = 0
    /// Entries left out because a written domain entry above them (or on the same name)
    /// blocks them already.
    public var covered = 0
    /// Entries the format cannot express, left out: RPZ owner names longer than DNS allows once
    /// the zone is appended.
    public var notExpressible: [BlockRule] = []
    /// RPZ: names with `_` that answer NXDOMAIN instead of the redirect address, because BIND
    /// refuses address records on such names.
    public var answeredNXDOMAIN: [BlockRule] = []
    /// EDL: the lowest-risk entries left out to stay within the line limit (the first
    /// ``maxListed``; ``overflowCount`` counts them all).
    public var overflow: [BlockRule] = []
    public var overflowCount = 0

    /// Lists in a report keep at most this many entries.
    public static let maxListed = 1000

    public init() {}
}

/// Renders a ``BlockSet`` in one format. Output is deterministic (sorted, no timestamps), so
/// an unchanged list renders to the same bytes and nothing is rewritten or reloaded.
public enum BlockRenderer {
    /// - Parameter serial: the RPZ zone's SOA serial (other formats ignore it).
    public static func render(
        _ set: BlockSet, format: BlockFormat, options: BlockFormatOptions, serial: UInt32 = 1
    ) -> (bytes: [UInt8], report: RenderReport) {
        var report = RenderReport()
        var chosen: [Int] = []
        chosen.reserveCapacity(set.entries.count)
        let rpzLimit = 253 - options.rpzZone.utf8.count - 1
        for (i, entry) in set.entries.enumerated() {
            if entry.sameAsDomainEntry || (format.coversSubdomains && entry.coveredByParent) {
                report.covered += 1
                continue
            }
            if format == .rpz, Int(entry.length) + (entry.scope == .exact ? 0 : 2) > rpzLimit {
                report.notExpressible.append(BlockRule(set.name(of: entry), entry.scope))
                continue
            }
            chosen.append(i)
        }
        if format == .edl { chosen = limitEDL(set, chosen, maxLines: options.edlMaxLines, report: &report) }
        report.written = chosen.count

        var out: [UInt8] = []
        out.reserveCapacity(chosen.count * 48 + 512)
        if let comment = format.commentPrefix {
            out.append(
                "\(comment) hostwatch block list (\(format.title)): \(chosen.count) names. Generated from the watchlist; do not edit, it is overwritten.\n")
        }
        switch format {
        case .rpz:
            out.append("$ORIGIN \(options.rpzZone).\n$TTL \(options.ttl)\n")
            out.append("@ IN SOA localhost. hostmaster.localhost. \(serial) 3600 600 604800 \(options.ttl)\n")
            out.append("@ IN NS localhost.\n")
        case .unbound:
            out.append("server:\n")
        default:
            break
        }
        // Every piece of text around the names is built once, not per entry.
        let rpz = rpzActions(options.answer)
        let unbound = UnboundText(options.answer)
        let dnsmasqPrefix = Array((options.answer == .local ? "local=/" : "address=/").utf8)
        // After `address=/name`: one line each (a redirect to IPv4 also answers AAAA with ::,
        // or dnsmasq would forward AAAA queries upstream).
        let dnsmasqSuffixes: [[UInt8]] =
            switch options.answer {
            case .null: [Array("/#\n".utf8)]
            case .redirect(.ipv4(let address)): [Array("/\(address)\n".utf8), Array("/::\n".utf8)]
            case .redirect(let target): [Array("/0.0.0.0\n".utf8), Array("/\(target)\n".utf8)]
            default: [Array("/\n".utf8)]
            }
        let dnsmasqExactStart = Array("server=/*.".utf8)
        let dnsmasqExactEnd = Array("/#\n".utf8)
        let hostsPrefix: [UInt8] =
            if case .redirect(let target) = options.answer { Array("\(target) ".utf8) } else { Array("0.0.0.0 ".utf8) }
        let wildcard = Array("*.".utf8)
        set.arena.withUnsafeBytes { arena in
            for i in chosen {
                let entry = set.entries[i]
                let name = UnsafeRawBufferPointer(rebasing: arena[Int(entry.offset)..<(Int(entry.offset) + Int(entry.length))])
                let domain = entry.scope == .domainAndSubdomains
                switch format {
                case .squid:
                    if domain { out.append(UInt8(ascii: ".")) }
                    out.append(contentsOf: name)
                    out.append(0x0A)
                case .rpz:
                    var action = rpz.normal
                    if rpz.needsLDH, name.contains(UInt8(ascii: "_")) {
                        // named's check-names refuses address records on owner names with '_'.
                        action = rpz.nxdomain
                        report.answeredNXDOMAIN.append(BlockRule(set.name(of: entry), entry.scope))
                    }
                    out.append(contentsOf: name)
                    out.append(contentsOf: action)
                    if domain {
                        out.append(contentsOf: wildcard)
                        out.append(contentsOf: name)
                        out.append(contentsOf: action)
                    }
                case .unbound:
                    if domain {
                        out.append(contentsOf: unbound.zoneStart)
                        out.append(contentsOf: name)
                        out.append(contentsOf: unbound.zoneEnd)
                    }
                    // Unbound has no zone type for "this name only": an exact name is answered
                    // from local data, which leaves its subdomains alone. A redirect zone needs
                    // its answer at the top too.
                    if !domain || unbound.redirects {
                        for data in unbound.dataEnds {
                            out.append(contentsOf: unbound.dataStart)
                            out.append(contentsOf: name)
                            out.append(contentsOf: data)
                        }
                    }
                case .dnsmasq:
                    for suffix in dnsmasqSuffixes {
                        out.append(contentsOf: dnsmasqPrefix)
                        out.append(contentsOf: name)
                        out.append(contentsOf: suffix)
                    }
                    // `address=` always takes the subdomains too; for an exact entry they go
                    // back to the normal servers (`#`). Measured on dnsmasq 2.90.
                    if !domain {
                        out.append(contentsOf: dnsmasqExactStart)
                        out.append(contentsOf: name)
                        out.append(contentsOf: dnsmasqExactEnd)
                    }
                case .edl:
                    out.append(contentsOf: name)
                    out.append(0x0A)
                    if domain {
                        out.append(contentsOf: wildcard)
                        out.append(contentsOf: name)
                        out.append(0x0A)
                    }
                case .hosts:
                    out.append(contentsOf: hostsPrefix)
                    out.append(contentsOf: name)
                    out.append(0x0A)
                case .plain:
                    out.append(contentsOf: name)
                    out.append(0x0A)
                }
            }
        }
        return (out, report)
    }

    /// The RPZ record text after the owner name, newline included.
    static func rpzActions(_ answer: BlockAnswer) -> (normal: [UInt8], nxdomain: [UInt8], needsLDH: Bool) {
        let nxdomain = Array(" CNAME .\n".utf8)
        switch answer {
        case .nodata: return (Array(" CNAME *.\n".utf8), nxdomain, false)
        case .redirect(.name(let target)): return (Array(" CNAME \(target).\n".utf8), nxdomain, false)
        case .redirect(.ipv4(let address)): return (Array(" A \(address)\n".utf8), nxdomain, true)
        case .redirect(.ipv6(let address)): return (Array(" AAAA \(address)\n".utf8), nxdomain, true)
        default: return (nxdomain, nxdomain, false)
        }
    }

    /// The text of Unbound lines around a name.
    struct UnboundText {
        let zoneStart = Array("local-zone: \"".utf8)
        let zoneEnd: [UInt8]
        let dataStart = Array("local-data: \"".utf8)
        /// After the name: one per record (`. A 0.0.0.0"`, `. AAAA ::"`).
        let dataEnds: [[UInt8]]
        let redirects: Bool

        init(_ answer: BlockAnswer) {
            let type: String =
                switch answer {
                case .nodata: "always_nodata"
                case .refuse: "always_refuse"
                case .null: "always_null"
                case .redirect: "redirect"
                default: "always_nxdomain"
                }
            zoneEnd = Array(".\" \(type)\n".utf8)
            switch answer {
            case .redirect(.ipv4(let address)): dataEnds = [Array(". A \(address)\"\n".utf8)]
            case .redirect(.ipv6(let address)): dataEnds = [Array(". AAAA \(address)\"\n".utf8)]
            default: dataEnds = [Array(". A 0.0.0.0\"\n".utf8), Array(". AAAA ::\"\n".utf8)]
            }
            if case .redirect = answer { redirects = true } else { redirects = false }
        }
    }

    /// Keeps the highest-risk entries (then by name) that fit in `maxLines` EDL lines.
    static func limitEDL(_ set: BlockSet, _ chosen: [Int], maxLines: Int, report: inout RenderReport) -> [Int] {
        func lines(_ i: Int) -> Int { set.entries[i].scope == .exact ? 1 : 2 }
        var total = 0
        for i in chosen { total += lines(i) }
        guard total > maxLines else { return chosen }
        // Risk 0xFF means "none": it ranks below every given risk.
        let ranked = chosen.sorted { a, b in
            let ra = set.entries[a].risk == 0xFF ? -1 : Int(set.entries[a].risk)
            let rb = set.entries[b].risk == 0xFF ? -1 : Int(set.entries[b].risk)
            return ra != rb ? ra > rb : a < b
        }
        var kept: [Int] = []
        var used = 0
        for i in ranked {
            if used + lines(i) <= maxLines {
                kept.append(i)
                used += lines(i)
            } else {
                report.overflowCount += 1
                if report.overflow.count < RenderReport.maxListed {
                    report.overflow.append(BlockRule(set.name(of: set.entries[i]), set.entries[i].scope))
                }
            }
        }
        return kept.sorted()
    }
}

extension [UInt8] {
    @inline(__always)
    mutating func append(_ text: String) {
        append(contentsOf: text.utf8)
    }
}
