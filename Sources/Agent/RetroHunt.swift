import DomainMatch
import VisitIndex
import Watchlist

/// Retro-hunt: when the watchlist gains an entry, who visited it before it was watched?
///
/// The visit index is searched over the retention window for every watch entry the new list has
/// and the old one had not, and one retro hit is made per (client, user, host): a hit with
/// `retro: true`, the first and last time and the count, and the metadata of the entry that
/// matches the host now. Hosts the old list already watched were live hits then and are left
/// out, as are hosts an allow entry covers.
enum RetroHunt {
    struct Result {
        /// JSON lines, each ending in a newline.
        var lines: [UInt8] = []
        var hits = 0
        /// Added watch entries (names; IP entries are not in the index).
        var addedEntries = 0
    }

    /// Watch entries (names) of `new` that `old` does not have, with their scope.
    static func addedEntries(old: Watchlist, new: Watchlist) -> [(name: String, scope: MatchScope)] {
        var added: [(name: String, scope: MatchScope)] = []
        new.matcher.forEachEntry { entry in
            guard entry.role == .watch, !entry.isIP else { return }
            let before = old.matcher.entries(onName: entry.name)
            let had = entry.scope == .exact ? before.exactWatch != nil : before.domainWatch != nil
            if !had { added.append((String(decoding: entry.name, as: UTF8.self), entry.scope)) }
        }
        return added
    }

    static func run(old: Watchlist, new: Watchlist, index: VisitIndex, sinceMillis: Int64) throws -> Result {
        var result = Result()
        var seen = Set<String>()
        var out = OutputBuffer(fd: -1, name: "retro hits")
        let source = HitFormatter.quoted(index.path)
        for (name, scope) in addedEntries(old: old, new: new) {
            result.addedEntries += 1
            for visit in try index.visits(name, sinceMillis: sinceMillis, exact: scope == .exact) {
                guard case .watched(let value, let nameLength) = new.matcher.match(visit.host),
                    case .none = old.matcher.match(visit.host)
                else { continue }
                let key = visit.host + "\u{0}" + visit.client + "\u{0}" + (visit.user ?? "\u{1}")
                guard seen.insert(key).inserted else { continue }
                let watched = String(decoding: Array(visit.host.utf8).suffix(nameLength), as: UTF8.self)
                append(visit, watched: watched, metadata: new.metadata(for: value), source: source, to: &out)
                result.hits += 1
            }
        }
        result.lines = out.bytes
        return result
    }

    /// One retro hit: the fields of a live hit that the index knows (no line, so no `kind`,
    /// `method`…`rcode` or `offset`), then `retro`, `first`, `last`, `count` and an `id` made
    /// from the watched name, host, client, user and first time.
    static func append(
        _ visit: VisitIndex.Visits, watched: String, metadata: EntryMetadata, source: [UInt8], to out: inout OutputBuffer
    ) {
        out.append("{\"time\":\"")
        out.append(HitFormatter.rfc3339(visit.last))
        out.append("\",\"host\":")
        HitFormatter.appendString(visit.host, to: &out)
        out.append(",\"watched\":")
        HitFormatter.appendString(watched, to: &out)
        out.append(",\"list\":")
        HitFormatter.appendString(metadata.list, to: &out)
        out.append(",\"tags\":[")
        for (i, tag) in metadata.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            HitFormatter.appendString(tag, to: &out)
        }
        out.append("],\"risk\":")
        out.append(metadata.risk.map(String.init) ?? "null")
        out.append(",\"kind\":null,\"client\":")
        HitFormatter.appendString(visit.client, to: &out)
        out.append(",\"user\":")
        if let user = visit.user { HitFormatter.appendString(user, to: &out) } else { out.append("null") }
        out.append(",\"retro\":true,\"first\":\"")
        out.append(HitFormatter.rfc3339(visit.first))
        out.append("\",\"last\":\"")
        out.append(HitFormatter.rfc3339(visit.last))
        out.append("\",\"count\":")
        out.append(String(visit.count))
        out.append(",\"format\":\"visit-index\",\"source\":")
        source.withUnsafeBytes { out.append($0) }
        out.append(",\"id\":\"retro-")
        out.append(HitIdentifier.hex(fnv1a([watched, visit.host, visit.client, visit.user ?? "\u{1}", String(visit.first)])))
        out.append("\"}\n")
    }

    static func fnv1a(_ parts: [String]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for part in parts {
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ 0) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
