import Foundation
import LogTailing
import Testing

@Suite("Inputs and gzip")
struct InputTests {
    @Test("a real gzip file decodes line-for-line equal to the plain file")
    func realGzip() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let plain = textLines(30_000)
        let compressed = try gzip(plain, in: dir, name: "access.log")
        #expect(compressed.count < plain.count / 3)
        let plainPath = dir.path("access.log")

        var plainReader = LineReader(source: try LogInput.open(path: plainPath))
        let plainReaderIsGzip = plainReader.source.isGzip
        #expect(plainReaderIsGzip == false)
        let plainLines = try readAll(&plainReader)
        #expect(plainLines == oracleLines(plain).lines)

        for chunkSize in [7, 4096, 1 << 20] {
            var reader = LineReader(source: try LogInput.open(path: plainPath + ".gz"), chunkSize: chunkSize)
            let readerIsGzip = reader.source.isGzip
            #expect(readerIsGzip)
            #expect(try readAll(&reader) == plainLines)
            #expect(reader.bytesRead == Int64(plain.count))
        }
    }

    @Test("multi-member gzip (two gzip -c outputs concatenated) yields the lines of both")
    func multiMember() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let first = textLines(3000, seed: 1)
        let second = Array("separate\nmember\n".utf8) + textLines(2000, seed: 2)
        let path = try dir.write(
            "multi.gz",
            try gzip(first, in: dir, name: "one") + gzip(second, in: dir, name: "two")
        )
        var reader = LineReader(source: try LogInput.open(path: path), chunkSize: 1000)
        let lines = try readAll(&reader)
        #expect(lines == oracleLines(first + second).lines)
        #expect(lines.count == 5002)
    }

    @Test("a truncated gzip yields the lines before the cut, then throws truncatedGzip")
    func truncated() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let plain = textLines(20_000)
        let compressed = try gzip(plain, in: dir)
        let path = try dir.write("cut.gz", Array(compressed.dropLast(20)))
        let expected = oracleLines(plain).lines

        var reader = LineReader(source: try LogInput.open(path: path), chunkSize: 4096)
        var lines: [Line] = []
        #expect(throws: InputError.truncatedGzip(path: path)) {
            try reader.forEachLine { lines.append(Line(bytes: Array($0), offset: $1)) }
        }
        // Exactly the first lines, and all but the very end of the data was decoded.
        #expect(lines.count > expected.count - 50)
        #expect(lines == Array(expected.prefix(lines.count)))
        #expect(reader.bytesRead > Int64(plain.count) - 2048)
        #expect(reader.bytesRead < Int64(plain.count))
        // Only the cut trailer: every byte decodes, the end is still reported.
        let trailerOnly = try dir.write("trailer.gz", Array(compressed.dropLast(4)))
        var reader2 = LineReader(source: try LogInput.open(path: trailerOnly))
        var count = 0
        #expect(throws: InputError.truncatedGzip(path: trailerOnly)) {
            try reader2.forEachLine { _, _ in count += 1 }
        }
        #expect(reader2.bytesRead == Int64(plain.count))
        #expect(count == expected.count)
        #expect(InputError.truncatedGzip(path: path).description.contains(path))
    }

    @Test("a corrupt gzip throws corruptGzip with zlib's message")
    func corrupt() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        var compressed = try gzip(textLines(5000), in: dir)
        let middle = compressed.count / 2
        for i in middle..<(middle + 16) { compressed[i] ^= 0xA5 }
        let path = try dir.write("corrupt.gz", compressed)
        var reader = LineReader(source: try LogInput.open(path: path))
        do {
            try reader.forEachLine { _, _ in }
            Issue.record("no error")
        } catch let error as InputError {
            guard case .corruptGzip(let errorPath, let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(!message.isEmpty)
            #expect(error.description.contains(path))
            #expect(error.description.contains(message))
        }

        // A bad CRC in the trailer is corrupt as well.
        var badCRC = try gzip(textLines(10), in: dir)
        badCRC[badCRC.count - 8] ^= 0xFF
        let crcPath = try dir.write("crc.gz", badCRC)
        var crcReader = LineReader(source: try LogInput.open(path: crcPath))
        #expect(throws: InputError.corruptGzip(path: crcPath, message: "incorrect data check")) {
            try crcReader.forEachLine { _, _ in }
        }
    }

    @Test("a gzip bomb stops at maxDecompressedBytes")
    func bomb() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let newlines = [UInt8](repeating: 10, count: 8 << 20)
        let path = try dir.write("bomb.gz", try gzip(newlines, in: dir))
        let limit: Int64 = 1 << 20
        var reader = LineReader(source: try LogInput.open(path: path, maxDecompressedBytes: limit), chunkSize: 64 << 10)
        #expect(throws: InputError.decompressedSizeLimit(path: path, limit: limit)) {
            try reader.forEachLine { _, _ in }
        }
        // Every byte up to the cap was returned: one empty line per newline.
        #expect(reader.bytesRead == limit)
        #expect(reader.linesRead == limit)
        #expect(InputError.decompressedSizeLimit(path: path, limit: limit).description.contains("1048576"))

        // Exactly at the cap is fine.
        var exact = LineReader(source: try LogInput.open(path: path, maxDecompressedBytes: 8 << 20))
        try exact.forEachLine { _, _ in }
        #expect(exact.linesRead == 8 << 20)
    }

    @Test("unreadable paths: nonexistent and a directory, with the path in the message")
    func unreadable() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let missing = dir.path("no-such.log")
        #expect(throws: InputError.cannotOpen(path: missing, errno: ENOENT)) {
            _ = try LogInput.open(path: missing)
        }
        let message = InputError.cannotOpen(path: missing, errno: ENOENT).description
        #expect(message == "cannot open \(missing): No such file or directory (errno 2)")

        #expect(throws: InputError.isDirectory(path: dir.url.path)) {
            _ = try LogInput.open(path: dir.url.path)
        }
        #expect(InputError.isDirectory(path: dir.url.path).description == "cannot read \(dir.url.path): is a directory")
        #expect(InputError.readFailed(path: "-", errno: EIO).description.hasPrefix("cannot read standard input: "))
    }

    @Test("a pipe (like stdin): gzip detected without seeking, plain passes through")
    func pipes() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let plain = textLines(5000)
        let compressed = try gzip(plain, in: dir)
        let expected = oracleLines(plain).lines

        let gzipPipe = pipeFed(with: compressed, pieceSize: 1000)
        var gzipReader = LineReader(
            source: try LogInput(source: FileByteSource(descriptor: gzipPipe, path: "-", closeOnDeinit: true)),
            chunkSize: 8192
        )
        let gzipReaderIsGzip = gzipReader.source.isGzip
        #expect(gzipReaderIsGzip)
        let peeked = try gzipReader.withFirstLines(maxLines: 10) { $0.map { Array($0) } }
        #expect(peeked == expected.prefix(10).map(\.bytes))
        #expect(try readAll(&gzipReader) == expected)

        let plainPipe = pipeFed(with: plain, pieceSize: 777)
        var plainReader = LineReader(
            source: try LogInput(source: FileByteSource(descriptor: plainPipe, path: "-", closeOnDeinit: true)),
            chunkSize: 8192
        )
        let plainReaderIsGzip = plainReader.source.isGzip
        #expect(!plainReaderIsGzip)
        #expect(try readAll(&plainReader) == expected)

        // Inputs shorter than the magic.
        for tiny in [[UInt8](), [0x1f], Array("x".utf8)] {
            var reader = LineReader(source: try LogInput(source: FileByteSource(descriptor: pipeFed(with: tiny), path: "-", closeOnDeinit: true)))
            let readerIsGzip = reader.source.isGzip
            #expect(!readerIsGzip)
            #expect(try readAll(&reader) == oracleLines(tiny).lines)
        }
    }

    @Test("GzipByteSource directly over an in-memory source, with a prefix")
    func gzipOverMemory() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let plain = textLines(1000)
        let compressed = try gzip(plain, in: dir)
        var source = GzipByteSource(
            wrapping: MemorySource(Array(compressed.dropFirst(3)), maxRead: 100),
            path: "mem",
            prefix: Array(compressed.prefix(3)),
            inputBufferSize: 64
        )
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 333)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            out += chunk[..<n]
        }
        #expect(out == plain)
        #expect(source.decompressedBytes == Int64(plain.count))
        #expect(source.compressedBytes == Int64(compressed.count))
        #expect(source.membersCompleted == 1)
    }
}
