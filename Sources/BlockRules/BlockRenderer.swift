import DomainMatch

/// What rendering one format did beyond writing the entries.
public struct RenderReport: Sendable, Equatable {
    /// Entries written.
    public var written = 0
    /// Entries left out because a written domain entry above them (or on the same name)
    /// blocks them already.
    public var covered = 0
    /// Entries the format cannot express, left out (dnsmasq cannot block a name without its
    /// subdomains; RPZ owner names longer than DNS allows once the zone is appended).
    public var notExpressible: [BlockRule] = []
    /// RPZ: names with `_` that answer NXDOMAIN instead of the redirect address, because BIND
    /// refuses address records on such names.
    public var answeredNXDOMAIN: [BlockRule] = []
    /// EDL: the lowest-risk entries left out to stay within the line limit.
    public var overflow: [BlockRule] = []

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
            if format == .dnsmasq, entry.scope == .exact {
                report.notExpressible.append(BlockRule(set.name(of: entry), .exact))
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
                    let action = rpzAction(options.answer, name: name, report: &report, entry: entry, set: set)
                    out.append(contentsOf: name)
                    out.append(action)
                    if domain {
                        out.append("*.")
                        out.append(contentsOf: name)
                        out.append(action)
                    }
                case .unbound:
                    renderUnbound(name, domain: domain, answer: options.answer, into: &out)
                case .dnsmasq:
                    out.append(options.answer == .local ? "local=/" : "address=/")
                    out.append(contentsOf: name)
                    switch options.answer {
                    case .null: out.append("/#\n")
                    case .redirect(let target): out.append("/\(target)\n")
                    default: out.append("/\n")
                    }
                case .edl:
                    out.append(contentsOf: name)
                    out.append(0x0A)
                    if domain {
                        out.append("*.")
                        out.append(contentsOf: name)
                        out.append(0x0A)
                    }
                case .hosts:
                    if case .redirect(let target) = options.answer { out.append("\(target) ") } else { out.append("0.0.0.0 ") }
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

    /// The RPZ record after the owner name, newline included.
    static func rpzAction(
        _ answer: BlockAnswer, name: UnsafeRawBufferPointer, report: inout RenderReport, entry: BlockSet.Entry,
        set: BlockSet
    ) -> String {
        switch answer {
        case .nodata: return " CNAME *.\n"
        case .redirect(.name(let target)): return " CNAME \(target).\n"
        case .redirect(.ipv4(let address)), .redirect(.ipv6(let address)):
            // named's check-names refuses address records on owner names with '_'.
            if name.contains(UInt8(ascii: "_")) {
                report.answeredNXDOMAIN.append(BlockRule(set.name(of: entry), entry.scope))
                return " CNAME .\n"
            }
            return answer == .redirect(.ipv4(address)) ? " A \(address)\n" : " AAAA \(address)\n"
        default: return " CNAME .\n"
        }
    }

    static func renderUnbound(_ name: UnsafeRawBufferPointer, domain: Bool, answer: BlockAnswer, into out: inout [UInt8]) {
        func localData(_ type: String, _ address: String) {
            out.append("local-data: \"")
            out.append(contentsOf: name)
            out.append(". \(type) \(address)\"\n")
        }
        func redirectData() {
            switch answer {
            case .redirect(.ipv4(let address)): localData("A", address)
            case .redirect(.ipv6(let address)): localData("AAAA", address)
            default:
                localData("A", "0.0.0.0")
                localData("AAAA", "::")
            }
        }
        guard domain else {
            // Unbound has no zone type for "this name only": answer it from local data, which
            // leaves its subdomains alone.
            return redirectData()
        }
        out.append("local-zone: \"")
        out.append(contentsOf: name)
        switch answer {
        case .nodata: out.append(".\" always_nodata\n")
        case .refuse: out.append(".\" always_refuse\n")
        case .null: out.append(".\" always_null\n")
        case .redirect:
            out.append(".\" redirect\n")
            redirectData()
        default: out.append(".\" always_nxdomain\n")
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
                report.overflow.append(BlockRule(set.name(of: set.entries[i]), set.entries[i].scope))
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
