import Foundation
import LogParsing
import SeededRandom
import Testing

extension SplitMix64 {
    /// A number in `0..<n` (0 when `n` is 0), for the fuzz tests' mutations.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}


/// What a fuzz run saw.
struct FuzzTally: Equatable {
    var lines = 0
    var visits = 0
    var skips = 0
    var badRanges = 0
    var emptyHosts = 0
}

/// Bytes the mutations like to insert: separators, quotes, brackets, digits, escapes.
private let interestingBytes: [UInt8] = Array(" \t,\"()[]{}:;/.-_#%\\0123456789ARQ\r@".utf8) + [0, 0x7F, 0xC3, 0xFF]

/// Parses `count` lines made by mutating `seeds` (and some pure noise) with one parser instance,
/// checking that nothing traps, that every line gets an answer, and that a visit's ranges lie
/// inside the bytes it indexes and its host is not empty.
func fuzz<P: LogParser>(_ parser: inout P, seeds: [String], count: Int = 100_000, seed: UInt64 = 42) -> FuzzTally {
    var random = SplitMix64(state: seed)
    let seedBytes = seeds.map { Array($0.utf8) }
    var tally = FuzzTally()
    var line: [UInt8] = []
    line.reserveCapacity(4096)
    for _ in 0..<count {
        line.removeAll(keepingCapacity: true)
        if random.below(20) == 0 || seedBytes.isEmpty {
            for _ in 0..<random.below(200) { line.append(UInt8(truncatingIfNeeded: random.next())) }
        } else {
            line.append(contentsOf: seedBytes[random.below(seedBytes.count)])
            for _ in 0...random.below(4) {
                switch random.below(6) {
                case 0:  // overwrite a byte
                    if !line.isEmpty { line[random.below(line.count)] = interestingBytes[random.below(interestingBytes.count)] }
                case 1:  // insert a byte
                    line.insert(interestingBytes[random.below(interestingBytes.count)], at: random.below(line.count + 1))
                case 2:  // delete a run
                    if !line.isEmpty {
                        let start = random.below(line.count)
                        line.removeSubrange(start..<min(line.count, start + 1 + random.below(8)))
                    }
                case 3:  // truncate
                    line.removeSubrange(random.below(line.count + 1)..<line.count)
                case 4:  // duplicate a chunk
                    if !line.isEmpty {
                        let start = random.below(line.count)
                        let chunk = Array(line[start..<min(line.count, start + 1 + random.below(40))])
                        line.insert(contentsOf: chunk, at: random.below(line.count + 1))
                    }
                default:  // random byte anywhere
                    if !line.isEmpty { line[random.below(line.count)] = UInt8(truncatingIfNeeded: random.next()) }
                }
            }
        }
        tally.lines += 1
        line.withUnsafeBytes { raw in
            var event = LogEvent()
            let skip = parser.parse(raw, into: &event)
            if skip != nil {
                tally.skips += 1
                return
            }
            tally.visits += 1
            let bytes = event.bytes(raw)
            let ranges: [Range<Int>?] = [
                event.host, event.client, event.user, event.method, event.url, event.status, event.action,
                event.qtype, event.rcode,
            ]
            for case let r? in ranges where r.lowerBound < 0 || r.upperBound > bytes.count {
                tally.badRanges += 1
            }
            if event.host.isEmpty { tally.emptyHosts += 1 }
        }
    }
    return tally
}

/// Asserts the invariants of a fuzz run.
func expectSound(_ tally: FuzzTally, count: Int = 100_000, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(tally.lines == count, sourceLocation: sourceLocation)
    #expect(tally.visits + tally.skips == count, sourceLocation: sourceLocation)
    #expect(tally.badRanges == 0, sourceLocation: sourceLocation)
    #expect(tally.emptyHosts == 0, sourceLocation: sourceLocation)
}

/// The non-empty lines of a fixture, split at `\n` bytes as the tailer does (a CRLF file keeps
/// its `\r`; `fixtureLines` splits on `Character`s, where `\r\n` is one).
func fixtureByteLines(_ name: String) throws -> [String] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    let bytes = try [UInt8](Data(contentsOf: url))
    return bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
}

/// How many lines of a fixture one instance of `parser` reads as visits (`"visit"`) or skips.
func outcomes<P: LogParser>(of name: String, with parser: inout P) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for line in try fixtureByteLines(name) {
        counts[parse(line, with: &parser).skip?.rawValue ?? "visit", default: 0] += 1
    }
    return counts
}

/// The sniff score of `parser` on `lines`.
func sniffScore<P: LogParser>(_ parser: P, _ lines: [String]) -> Double {
    let buffers = lines.map { line -> UnsafeMutableRawBufferPointer in
        let bytes = Array(line.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        buffer.copyBytes(from: bytes)
        return buffer
    }
    defer { buffers.forEach { $0.deallocate() } }
    return parser.sniff(buffers.map { UnsafeRawBufferPointer($0) })
}
