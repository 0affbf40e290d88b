import Foundation
import LogTailing
import Testing
import SeededRandom

/// A line as the reader delivered it.
struct Line: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    var offset: Int64
    var description: String { "\(offset):\(bytes.count)b" }
}

/// Bytes from memory, handed out at most `maxRead` at a time.
struct MemorySource: ByteSource {
    var data: [UInt8]
    var position = 0
    var maxRead: Int

    init(_ data: [UInt8], maxRead: Int = .max) {
        self.data = data
        self.maxRead = maxRead
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n = min(buffer.count, maxRead, data.count - position)
        guard n > 0 else { return 0 }
        data.withUnsafeBytes { bytes in
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// What the reader must deliver for `data`, from the standard library's `split` as the oracle:
/// pieces between `\n`, minus the empty piece after a final `\n`, one trailing `\r` stripped,
/// lines longer than `maxLineBytes` left out (and counted).
func oracleLines(_ data: [UInt8], maxLineBytes: Int = .max) -> (lines: [Line], tooLong: Int) {
    var pieces = data.split(separator: 10, omittingEmptySubsequences: false)
    if pieces.last?.isEmpty == true { pieces.removeLast() }
    var lines: [Line] = []
    var tooLong = 0
    for piece in pieces {
        var bytes = Array(piece)
        if bytes.last == 13 { bytes.removeLast() }
        if bytes.count > maxLineBytes {
            tooLong += 1
        } else {
            lines.append(Line(bytes: bytes, offset: Int64(piece.startIndex)))
        }
    }
    return (lines, tooLong)
}

/// Every line left in `reader`.
func readAll<S: ByteSource & ~Copyable>(_ reader: inout LineReader<S>) throws -> [Line] {
    var lines: [Line] = []
    try reader.forEachLine { line, offset in
        lines.append(Line(bytes: Array(line), offset: offset))
    }
    return lines
}


/// Random lines of random length, of any bytes but `\n`; some end in `\r`, some are empty; the
/// data ends with or without a final `\n`.
func randomLogData(lines: Int, maxLength: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(state: seed)
    var data: [UInt8] = []
    for i in 0..<lines {
        let length = Int.random(in: 0...maxLength, using: &random)
        for _ in 0..<length {
            var byte = UInt8.random(in: 0...255, using: &random)
            if byte == 10 { byte = 0 }
            data.append(byte)
        }
        if Int.random(in: 0..<5, using: &random) == 0 { data.append(13) }
        if i < lines - 1 || Bool.random(using: &random) { data.append(10) }
    }
    return data
}

/// Printable log-like text: `count` lines.
func textLines(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var random = SplitMix64(state: seed)
    var text = ""
    for i in 0..<count {
        let host = "host\(Int.random(in: 0..<5000, using: &random)).example.com"
        text += "1700000000.\(i % 1000) \(Int.random(in: 1...999, using: &random)) 10.0.0.\(i % 250) "
        text += "TCP_MISS/200 \(i) GET http://\(host)/path?q=\(i) - HIER_DIRECT/1.2.3.4 text/html\n"
    }
    return Array(text.utf8)
}

/// A fresh directory for one test; removed by `cleanup()`.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("logtailing-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

func readFile(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// The output of the real `/usr/bin/gzip -c` for `bytes`.
func gzip(_ bytes: [UInt8], in dir: TempDir, name: String = "gzip-input") throws -> [UInt8] {
    let input = try dir.write(name, bytes)
    let output = dir.path(name + ".gz")
    #expect(FileManager.default.createFile(atPath: output, contents: nil))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = ["-c", input]
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardOutput = handle
    try process.run()
    process.waitUntilExit()
    try handle.close()
    #expect(process.terminationStatus == 0)
    return try readFile(output)
}

/// A pipe whose write end is fed `bytes` from another thread, in pieces of `pieceSize` bytes
/// (the first piece is one byte, to exercise short reads of the gzip magic). Returns the read end.
func pipeFed(with bytes: [UInt8], pieceSize: Int = 4096) -> Int32 {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0)
    let writeEnd = fds[1]
    Thread.detachNewThread {
        var position = 0
        var piece = 1
        while position < bytes.count {
            let n = min(piece, bytes.count - position)
            let written = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + position, n) }
            if written < 0 {
                if errno == EINTR { continue }
                break
            }
            position += written
            piece = pieceSize
            usleep(100)
        }
        close(writeEnd)
    }
    return fds[0]
}
