import DomainMatch
public import LogParsing
import LogTailing

/// `hostwatch parse`: what a format reads from each line, as one JSON object per line, for
/// checking a format (a new `parsers/` definition, a source's `fields`) against real lines.
///
/// Each object: `line` (number from 1), `offset`, then either `skip` (the reason) or the visit:
/// `kind`, `time` (RFC 3339 UTC), `host` (as logged), `canonical` (the name hostwatch matches,
/// or `null` with `invalid_host` giving why), `client`, `user`, and `method`, `url`, `status`,
/// `action`, `qtype`, `rcode` when the format has them.
public enum ParseDump {
    /// Counts by outcome: `visit`, or a skip reason.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        public var visits = 0
        public var skipped: [String: Int] = [:]
    }

    /// Writes the fields of each line `reader` gives to `output` (lines it only peeked at, to
    /// sniff the format, included). Empty lines are left out; too long lines are counted.
    public static func run(
        reader: inout LineReader<LogInput>, parser: any LogParser, output: inout OutputBuffer
    ) throws -> Summary {
        var parser = parser
        var summary = Summary()
        var event = LogEvent()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: HostNormalizer.outputCapacity, alignment: 8)
        defer { scratch.deallocate() }
        var number = 0
        try reader.forEachLine { line, offset in
            number += 1
            if line.isEmpty { return }
            summary.lines += 1
            event.reset()
            output.append("{\"line\":")
            output.append(String(number))
            output.append(",\"offset\":")
            output.append(String(offset))
            if let reason = parser.parse(line, into: &event) {
                summary.skipped[reason.rawValue, default: 0] += 1
                output.append(",\"skip\":\"")
                output.append(reason.rawValue)
                output.append("\"}\n")
                try output.flushIfFull()
                return
            }
            summary.visits += 1
            let text = event.bytes(line)
            output.append(",\"kind\":\"")
            output.append(event.kind.name)
            output.append("\",\"time\":\"")
            output.append(HitFormatter.rfc3339(event.timeMillis))
            output.append("\",\"host\":")
            HitFormatter.appendString(UnsafeRawBufferPointer(rebasing: text[event.host]), to: &output)
            switch HostNormalizer.normalize(UnsafeRawBufferPointer(rebasing: text[event.host]), into: scratch) {
            case .success(let host):
                output.append(",\"canonical\":")
                HitFormatter.appendString(UnsafeRawBufferPointer(rebasing: scratch[0..<host.count]), to: &output)
            case .failure(let rejection):
                output.append(",\"canonical\":null,\"invalid_host\":\"")
                output.append(rejection.rawValue)
                output.append("\"")
            }
            output.append(",\"client\":")
            HitFormatter.appendString(UnsafeRawBufferPointer(rebasing: text[event.client]), to: &output)
            output.append(",\"user\":")
            if let user = event.user {
                HitFormatter.appendString(UnsafeRawBufferPointer(rebasing: text[user]), to: &output)
            } else {
                output.append("null")
            }
            HitFormatter.appendOptional("method", event.method, text, &output)
            HitFormatter.appendOptional("url", event.url, text, &output)
            HitFormatter.appendOptional("status", event.status, text, &output)
            HitFormatter.appendOptional("action", event.action, text, &output)
            HitFormatter.appendOptional("qtype", event.qtype, text, &output)
            HitFormatter.appendOptional("rcode", event.rcode, text, &output)
            output.append("}\n")
            try output.flushIfFull()
        }
        try output.flush()
        summary.lines += Int(reader.linesTooLong)
        if reader.linesTooLong > 0 { summary.skipped["line_too_long"] = Int(reader.linesTooLong) }
        return summary
    }
}
