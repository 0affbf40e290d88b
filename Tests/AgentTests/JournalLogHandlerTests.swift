// Glibc's `stat`, `timespec` and `timeval` reach this test target through Dispatch's clang
// module too (Hummingbird's graph), and with MemberImportVisibility their members then need
// that module imported by name.
import CDispatch
import Foundation
import Logging
import Testing

@testable import Agent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The handler is built directly on a pipe and read back: no test bootstraps `LoggingSystem`.
@Suite struct JournalLogHandlerTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func journalLinesCarryThePriorityAndNoTimestamp() throws {
        let output = try capture(journal: true) { logger in
            logger.trace("t")
            logger.debug("d")
            logger.info("watchlist loaded", metadata: ["files": "2", "entries": "1200"])
            logger.notice("n")
            logger.warning("w")
            logger.error("e")
            logger.critical("c")
        }
        #expect(
            output == """
                <7>t
                <7>d
                <6>watchlist loaded entries=1200 files=2
                <5>n
                <4>w
                <3>e
                <2>c

                """)
    }

    @Test func plainLinesCarryUTCTimeLevelAndLabel() throws {
        let output = try capture(journal: false) { logger in
            logger.info("watchlist loaded", metadata: ["files": "2", "entries": "1200"])
            logger.warning("slow")
        }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == 3)
        #expect(lines[2] == "")
        let timestamp = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/
        let first = try #require(lines[0].wholeMatch(of: /(\S+) (.*)/))
        #expect(first.1.wholeMatch(of: timestamp) != nil)
        #expect(first.2 == "info [hostwatch] watchlist loaded entries=1200 files=2")
        let second = try #require(lines[1].wholeMatch(of: /(\S+) (.*)/))
        #expect(second.1.wholeMatch(of: timestamp) != nil)
        #expect(second.2 == "warning [hostwatch] slow")
    }

    @Test func plainTimestampIsTheCurrentUTCTime() throws {
        let before = Date()
        let output = try capture(journal: false) { $0.info("now") }
        let after = Date()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let stamp = String(try #require(output.split(separator: " ").first))
        let date = try #require(formatter.date(from: stamp))
        #expect(date >= before.addingTimeInterval(-0.001) && date <= after)
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (1_796_025_121, 123, "2026-11-30T07:52:01.123Z"),
        (951_782_400, 5, "2000-02-29T00:00:00.005Z"),
        (253_402_300_799, 999, "9999-12-31T23:59:59.999Z"),
    ])
    func timestamps(seconds: Int, milliseconds: Int, expected: String) {
        #expect(JournalLogHandler.timestamp(seconds: seconds, milliseconds: milliseconds) == expected)
    }

    @Test func plainLineWithAFixedClock() {
        let handler = JournalLogHandler(label: "hostwatch", fileDescriptor: -1, journal: false)
        let event = LogEvent(
            level: .info, message: "watchlist loaded", metadata: ["entries": "1200"],
            source: nil, file: "", function: "", line: 0)
        #expect(
            handler.format(event, now: (1_796_025_121, 123))
                == "2026-11-30T07:52:01.123Z info [hostwatch] watchlist loaded entries=1200\n")
    }

    @Test func oneEventIsAlwaysOneLine() throws {
        let output = try capture(journal: true) { logger in
            logger.error("bad line:\nGET /\r\n\u{1B}[31mred\tend")
            logger.info("multi\nline", metadata: ["text": "a\nb", "key\nx": "v"])
        }
        #expect(
            output == """
                <3>bad line:\\nGET /\\r\\n\\u001b[31mred\tend
                <6>multi\\nline key\\nx=v text="a\\nb"

                """)
    }

    @Test func valuesWithSpacesOrQuotesAreQuoted() throws {
        let output = try capture(journal: true) { logger in
            logger.info(
                "m",
                metadata: [
                    "plain": "/var/log/squid/access.log",
                    "space": "my squid",
                    "quote": "say \"hi\"",
                    "equals": "a=b",
                    "empty": "",
                    "slash": "C:\\logs",
                    "tab": "a\tb",
                    "list": ["a", "b c"],
                    "number": .stringConvertible(42),
                    "unicode": "bücher.example",
                ])
        }
        let expected = [
            #"<6>m"#, #"empty="""#, #"equals="a=b""#, #"list="[\"a\", \"b c\"]""#, #"number=42"#,
            #"plain=/var/log/squid/access.log"#, #"quote="say \"hi\"""#, #"slash=C:\logs"#, #"space="my squid""#,
            #"tab="a\tb""#, #"unicode=bücher.example"#,
        ]
        #expect(output == expected.joined(separator: " ") + "\n")
    }

    @Test func metadataMergesHandlerProviderEventAndError() throws {
        let provider = Logger.MetadataProvider { ["task": "tail", "shared": "provider"] }
        let output = try capture(journal: true, metadataProvider: provider) { logger in
            logger[metadataKey: "shared"] = "handler"
            logger[metadataKey: "component"] = "api"
            logger.warning("write failed", error: Failure(), metadata: ["shared": "event"])
            logger.info("plain")
        }
        #expect(
            output == """
                <4>write failed component=api error.message="disk full" error.type=AgentTests.JournalLogHandlerTests.Failure shared=event task=tail
                <6>plain component=api shared=provider task=tail

                """)
    }

    @Test func levelFilteringIsTheLoggers() throws {
        let output = try capture(journal: true, level: .warning) { logger in
            logger.info("dropped")
            logger.warning("kept")
        }
        #expect(output == "<4>kept\n")
    }

    @Test func journalStreamIsRecognisedByDeviceAndInode() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        var status = stat()
        try #require(fstat(fds[1], &status) == 0)
        let matching = "\(status.st_dev):\(status.st_ino)"
        #expect(JournalLogHandler.isJournalStream(matching, fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream("\(status.st_dev):\(status.st_ino + 1)", fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream("\(status.st_dev + 1):\(status.st_ino)", fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream(nil, fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream("", fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream("garbage", fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream("\(status.st_dev):", fileDescriptor: fds[1]))
        #expect(!JournalLogHandler.isJournalStream(matching, fileDescriptor: -1))
        #expect(JournalLogHandler(label: "x", fileDescriptor: fds[1], journal: true).usesJournalFormat)
        #expect(!JournalLogHandler(label: "x", fileDescriptor: fds[1], journal: false).usesJournalFormat)
    }

    /// Lines far longer than `PIPE_BUF` from many threads at once: the kernel may split such a
    /// write on a pipe, so only the handler's lock keeps each line whole.
    @Test func concurrentLongLinesNeverInterleave() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let readEnd = fds[0]
        let writeEnd = fds[1]
        defer { close(readEnd) }
        let reader = PipeReader(fd: readEnd)

        let letters = Array("abcdefgh")
        let threads = letters.count
        let linesPerThread = 20
        let lineLength = 100_000
        let handler = JournalLogHandler(label: "hostwatch", fileDescriptor: writeEnd, journal: true)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let logger = Logger(label: "hostwatch") { _ in handler }
            let text = String(repeating: letters[thread], count: lineLength)
            for index in 0..<linesPerThread {
                logger.info("\(thread)-\(index) \(text)")
            }
        }
        close(writeEnd)
        let output = reader.wait()

        // Compare without printing 100 kB lines when something is wrong.
        var seen = Set<String>()
        var mangled = [String]()
        for line in output.split(separator: "\n") {
            guard let match = line.wholeMatch(of: /<6>(\d)-(\d+) ([a-h]+)/), let thread = Int(match.1),
                match.3 == String(repeating: letters[thread], count: lineLength)
            else {
                mangled.append("\(line.prefix(20))…(\(line.utf8.count) bytes)")
                continue
            }
            seen.insert("\(match.1)-\(match.2)")
        }
        #expect(mangled.count == 0, "mangled lines, the first: \(mangled.prefix(3))")
        #expect(seen.count == threads * linesPerThread)
    }

    /// Runs `body` with a logger whose handler writes to a pipe, then returns what came out.
    /// Enough for output below the pipe's 64 KiB buffer; larger tests read concurrently.
    private func capture(
        journal: Bool, level: Logger.Level = .trace, metadataProvider: Logger.MetadataProvider? = nil,
        _ body: (inout Logger) -> Void
    ) throws -> String {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var handler = JournalLogHandler(label: "hostwatch", fileDescriptor: fds[1], journal: journal)
        handler.metadataProvider = metadataProvider
        var logger = Logger(label: "hostwatch") { _ in handler }
        logger.logLevel = level
        body(&logger)
        close(fds[1])
        return readAll(fds[0])
    }
}

/// Everything readable from `fd` until end of file.
private func readAll(_ fd: Int32) -> String {
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        data.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: data, as: UTF8.self)
}

/// Drains a pipe on its own thread so that writers never block on a full pipe.
private final class PipeReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var output = ""  // written by the thread before `done` is signalled, read after

    init(fd: Int32) {
        Thread.detachNewThread { [self] in
            output = readAll(fd)
            done.signal()
        }
    }

    /// Waits for end of file and returns what was read.
    func wait() -> String {
        done.wait()
        return output
    }
}
