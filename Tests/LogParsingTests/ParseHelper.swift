import Foundation
import LogParsing
import Testing

/// One parsed line, its fields copied out as `String`s for assertions.
struct Parsed: Equatable, CustomStringConvertible {
    var skip: SkipReason?
    var kind: LogEvent.Kind
    var timeMillis: Int64
    var host: String
    var client: String
    var user: String?
    var method: String?
    var url: String?
    var status: String?
    var action: String?
    var qtype: String?
    var rcode: String?

    var description: String {
        "skip=\(skip?.rawValue ?? "visit") kind=\(kind.name) time=\(timeMillis) host=\(host) client=\(client) "
            + "user=\(user ?? "nil") method=\(method ?? "nil") url=\(url ?? "nil") status=\(status ?? "nil") "
            + "action=\(action ?? "nil") qtype=\(qtype ?? "nil") rcode=\(rcode ?? "nil")"
    }
}

/// 2026-11-29T12:00:00Z, a few hours after the samples were written; times read as UTC.
let referenceMillis: Int64 = 1_795_953_600_000
let utcContext = ParserContext(referenceTimeMillis: referenceMillis, timeZone: .utc)

/// Parses `line` with `parser` (which keeps its state for the next line).
func parse<P: LogParser>(_ line: String, with parser: inout P) -> Parsed {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBytes { raw in
        var event = LogEvent()
        let skip = parser.parse(UnsafeRawBufferPointer(raw), into: &event)
        let buffer = event.bytes(UnsafeRawBufferPointer(raw))
        func text(_ r: Range<Int>) -> String { String(decoding: buffer[r], as: UTF8.self) }
        return Parsed(
            skip: skip, kind: event.kind, timeMillis: event.timeMillis, host: text(event.host),
            client: text(event.client), user: event.user.map(text), method: event.method.map(text),
            url: event.url.map(text), status: event.status.map(text), action: event.action.map(text),
            qtype: event.qtype.map(text), rcode: event.rcode.map(text))
    }
}

/// Parses `line` with a fresh built-in parser.
func parse(_ line: String, format id: String, context: ParserContext = utcContext) throws -> Parsed {
    var parser = try #require(ParserRegistry.make(id, context: context))
    return parse(line, with: &parser)
}

/// The lines of a fixture file.
func fixtureLines(_ name: String) throws -> [String] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// How many lines of a fixture one parser instance reads as visits (`"visit"`) or skips, by reason.
func outcomes(of name: String, format id: String) throws -> [String: Int] {
    var parser = try #require(ParserRegistry.make(id, context: utcContext))
    var counts: [String: Int] = [:]
    for line in try fixtureLines(name) {
        counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
    }
    return counts
}

/// The score and winner of sniffing `lines`.
func sniff(_ lines: [String]) -> (id: String, score: Double)? {
    let arrays = lines.map { Array($0.utf8) }
    return withBuffers(arrays, []) { ParserRegistry.sniff($0, context: utcContext) }
}

/// Calls `body` with raw buffers over every array (kept alive for the call).
private func withBuffers<R>(
    _ arrays: ArraySlice<[UInt8]>, _ done: [UnsafeRawBufferPointer], _ body: ([UnsafeRawBufferPointer]) -> R
) -> R {
    guard let first = arrays.first else { return body(done) }
    return first.withUnsafeBytes { withBuffers(arrays.dropFirst(), done + [$0], body) }
}

private func withBuffers<R>(
    _ arrays: [[UInt8]], _ done: [UnsafeRawBufferPointer], _ body: ([UnsafeRawBufferPointer]) -> R
) -> R {
    withBuffers(arrays[...], done, body)
}

/// Scores of one built-in parser on `lines`.
func score(_ id: String, _ lines: [String]) throws -> Double {
    let parser = try #require(ParserRegistry.make(id, context: utcContext))
    let arrays = lines.map { Array($0.utf8) }
    return withBuffers(arrays, []) { parser.sniff($0) }
}
