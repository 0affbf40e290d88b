import Foundation
import LogTailing
import Testing

@Suite("LineReader")
struct LineReaderTests {
    static let chunkSizes = [1, 7, 64, 4096]

    @Test("random data against the split oracle, exact offsets", arguments: chunkSizes)
    func oracle(chunkSize: Int) throws {
        for seed in UInt64(1)...6 {
            let data = randomLogData(lines: 400, maxLength: 300, seed: seed &* 7919 &+ UInt64(chunkSize))
            let expected = oracleLines(data)
            // Also let the source return short reads, independent of the chunk size.
            for maxRead in [Int.max, 3] {
                var reader = LineReader(
                    source: MemorySource(data, maxRead: maxRead),
                    maxLineBytes: 1000,
                    chunkSize: chunkSize
                )
                let lines = try readAll(&reader)
                #expect(lines == expected.lines)
                #expect(reader.linesRead == Int64(expected.lines.count))
                #expect(reader.linesTooLong == 0)
                #expect(reader.bytesRead == Int64(data.count))
            }
        }
    }

    @Test("random long lines are skipped and counted, offsets of the rest exact", arguments: chunkSizes)
    func oracleWithLongLines(chunkSize: Int) throws {
        for maxLineBytes in [0, 1, 16, 50] {
            let data = randomLogData(lines: 300, maxLength: 60, seed: UInt64(maxLineBytes * 1000 + chunkSize))
            let expected = oracleLines(data, maxLineBytes: maxLineBytes)
            var reader = LineReader(source: MemorySource(data), maxLineBytes: maxLineBytes, chunkSize: chunkSize)
            let lines = try readAll(&reader)
            #expect(lines == expected.lines)
            #expect(reader.linesTooLong == Int64(expected.tooLong))
            #expect(reader.linesRead == Int64(expected.lines.count))
            #expect(reader.bytesRead == Int64(data.count))
        }
    }

    @Test("CRLF: one \\r before \\n is stripped, other \\r bytes stay", arguments: chunkSizes)
    func crlf(chunkSize: Int) throws {
        let data = Array("a\r\nbc\r\n\r\n\r\r\nx\ry\r\nlast\r".utf8)
        var reader = LineReader(source: MemorySource(data), chunkSize: chunkSize)
        let lines = try readAll(&reader)
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["a", "bc", "", "\r", "x\ry", "last"])
        #expect(lines.map(\.offset) == [0, 3, 7, 9, 12, 17])
    }

    @Test("empty lines are delivered, the last line needs no newline", arguments: chunkSizes)
    func emptyAndLastLines(chunkSize: Int) throws {
        let cases: [(String, [String], [Int64])] = [
            ("", [], []),
            ("\n", [""], [0]),
            ("\n\n", ["", ""], [0, 1]),
            ("a", ["a"], [0]),
            ("a\n", ["a"], [0]),
            ("a\n\nb", ["a", "", "b"], [0, 2, 3]),
            ("\nend", ["", "end"], [0, 1]),
        ]
        for (text, expected, offsets) in cases {
            var reader = LineReader(source: MemorySource(Array(text.utf8)), chunkSize: chunkSize)
            let lines = try readAll(&reader)
            #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == expected, "input \(text.debugDescription)")
            #expect(lines.map(\.offset) == offsets, "input \(text.debugDescription)")
            // A finished reader delivers nothing more.
            #expect(try readAll(&reader).isEmpty)
        }
    }

    @Test("a 1 MiB + 1 line between normal lines is skipped, its neighbours intact", arguments: [4096, 1 << 20])
    func oneMebibytePlusOne(chunkSize: Int) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let mib = 1 << 20
        var data = Array("before\n".utf8)
        data += [UInt8](repeating: UInt8(ascii: "x"), count: mib + 1) + [10]
        data += Array("middle\r\n".utf8)
        data += [UInt8](repeating: UInt8(ascii: "y"), count: mib) + [13, 10]  // exactly the limit: kept
        data += [UInt8](repeating: UInt8(ascii: "z"), count: mib + 1) + [13, 10]  // one over: skipped
        data += Array("after\n".utf8)
        data += [UInt8](repeating: UInt8(ascii: "w"), count: 3 * mib)  // too long, and last
        let path = try dir.write("long.log", data)

        var reader = LineReader(source: try FileByteSource(path: path), maxLineBytes: mib, chunkSize: chunkSize)
        let lines = try readAll(&reader)
        let expected = oracleLines(data, maxLineBytes: mib)
        #expect(lines.count == 4)
        #expect(lines == expected.lines)
        #expect(lines.map(\.offset) == [0, 7 + Int64(mib) + 2, 7 + Int64(mib) + 2 + 8, 7 + 3 * Int64(mib) + 2 + 8 + 2 + 3])
        #expect(lines[1].bytes == Array("middle".utf8))
        #expect(lines[2].bytes.count == mib)
        #expect(lines[3].bytes == Array("after".utf8))
        #expect(reader.linesTooLong == 3)
        #expect(reader.linesRead == 4)
        #expect(reader.bytesRead == Int64(data.count))
    }

    @Test("binary bytes (NUL, invalid UTF-8) pass through byte-exact", arguments: chunkSizes)
    func binary(chunkSize: Int) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        var data: [UInt8] = []
        for round in 0..<4 {
            data += (0...255).map { UInt8($0) }.filter { $0 != 10 && $0 != 13 }
            data += [0, 0, 0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80, UInt8(round), 10]
        }
        let path = try dir.write("binary.log", data)
        var reader = LineReader(source: try FileByteSource(path: path), chunkSize: chunkSize)
        let lines = try readAll(&reader)
        #expect(lines == oracleLines(data).lines)
        #expect(lines.count == 4)
        #expect(lines.reduce(0) { $0 + $1.bytes.count + 1 } == data.count)
    }

    @Test("peeking the first lines, then iterating, yields every line exactly once", arguments: chunkSizes)
    func peekThenIterate(chunkSize: Int) throws {
        let data = randomLogData(lines: 50, maxLength: 40, seed: 42)
        let expected = oracleLines(data).lines
        for maxLines in [1, 5, 49, 50, 200] {
            var reader = LineReader(source: MemorySource(data, maxRead: 5), chunkSize: chunkSize)
            let peeked = try reader.withFirstLines(maxLines: maxLines) { $0.map { Array($0) } }
            #expect(peeked == expected.prefix(maxLines).map(\.bytes), "maxLines \(maxLines)")
            // Peeking twice shows the same lines.
            let again = try reader.withFirstLines(maxLines: maxLines) { $0.map { Array($0) } }
            #expect(again == peeked)
            #expect(reader.linesRead == 0)
            #expect(try readAll(&reader) == expected)
            #expect(reader.bytesRead == Int64(data.count))
        }
    }

    @Test("peek on a short input shows its unterminated last line; long lines are left out")
    func peekShortInput() throws {
        var reader = LineReader(
            source: MemorySource(Array("a\r\n0123456789\nb\nc".utf8), maxRead: 3),
            maxLineBytes: 4,
            chunkSize: 64
        )
        let peeked = try reader.withFirstLines(maxLines: 10) { $0.map { String(decoding: $0, as: UTF8.self) } }
        #expect(peeked == ["a", "b", "c"])
        let lines = try readAll(&reader)
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["a", "b", "c"])
        #expect(lines.map(\.offset) == [0, 14, 16])
        #expect(reader.linesTooLong == 1)
    }

    @Test("keepPartialLastLine: an unfinished line waits for the rest of the file")
    func keepPartialLastLine() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = try dir.write("growing.log", Array("one\ntw".utf8))
        var reader = LineReader(source: try FileByteSource(path: path), chunkSize: 2)
        var lines = [Line]()
        try reader.forEachLine(keepPartialLastLine: true) { lines.append(Line(bytes: Array($0), offset: $1)) }
        #expect(lines == [Line(bytes: Array("one".utf8), offset: 0)])

        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("o\nthree".utf8))
        try handle.close()
        try reader.forEachLine(keepPartialLastLine: true) { lines.append(Line(bytes: Array($0), offset: $1)) }
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one", "two"])
        #expect(lines.map(\.offset) == [0, 4])
        try reader.forEachLine { lines.append(Line(bytes: Array($0), offset: $1)) }
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one", "two", "three"])
        #expect(lines.last?.offset == 8)
    }

    @Test("a line is consumed before the closure runs: after a throw, reading resumes after it")
    func throwingBody() throws {
        struct Stop: Error {}
        var reader = LineReader(source: MemorySource(Array("a\nb\nc\n".utf8)), chunkSize: 64)
        var seen: [String] = []
        #expect(throws: Stop.self) {
            try reader.forEachLine { line, _ in
                seen.append(String(decoding: line, as: UTF8.self))
                if seen.count == 2 { throw Stop() }
            }
        }
        #expect(try readAll(&reader).map(\.offset) == [4])
        #expect(seen == ["a", "b"])
    }
}

/// The hole a writer without O_APPEND leaves after copytruncate (RELIABILITY.md A5).
@Suite struct LineReaderNULTests {
    @Test(arguments: [1, 7, 4096])
    func nulRunBeforeALineIsSkipped(maxRead: Int) throws {
        let hole = [UInt8](repeating: 0, count: 3 << 20)  // longer than any line and than the buffer
        let data = hole + Array("first line\nsecond\n".utf8) + [0, 0] + Array("third\n".utf8)
        var reader = LineReader(
            source: MemorySource(data, maxRead: maxRead), maxLineBytes: 1024, chunkSize: 4096, skipsLeadingNULs: true)
        let lines = try readAll(&reader)
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["first line", "second", "third"])
        #expect(lines.map(\.offset) == [Int64(hole.count), Int64(hole.count + 11), Int64(hole.count + 20)])
        #expect(reader.nulBytesSkipped == Int64(hole.count + 2))
        #expect(reader.linesTooLong == 0)
    }

    @Test func offByDefault() throws {
        var reader = LineReader(source: MemorySource([0, 0, 0x61, 0x0A]), maxLineBytes: 1024, chunkSize: 4096)
        #expect(try readAll(&reader) == [Line(bytes: [0, 0, 0x61], offset: 0)])
    }

    @Test func nulInsideALineIsKept() throws {
        var reader = LineReader(
            source: MemorySource(Array("a\0b\n".utf8)), maxLineBytes: 1024, chunkSize: 4096, skipsLeadingNULs: true)
        let lines = try readAll(&reader)
        #expect(lines == [Line(bytes: [0x61, 0, 0x62], offset: 0)])
        #expect(reader.nulBytesSkipped == 0)
    }
}
