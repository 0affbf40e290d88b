import Foundation
import Synchronization
import Testing

/// The real `hostwatch run` binary against a log written at 20k lines/s, rotated every way
/// logrotate rotates, killed and reloaded; the JSONL must hold every hit exactly once.
@Suite(.serialized) struct DaemonRotationTests {
    @Test func renameAndCreateRotations() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        for _ in 0..<50 {
            writer.write(2_000)
            writer.rotateRename()
        }
        writer.write(2_000)
        let hits = daemon.waitForHits(writer.expected.count)
        let stop = daemon.stop()
        #expect(stop.status == 0)
        expectEveryHitOnce("50 rename rotations", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
        #expect(writer.achievedRate >= 18_000, "the writer must keep up about 20k lines/s")
        #expect(hits.count == writer.expected.count)
    }

    @Test func copyTruncateRotations() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        for _ in 0..<50 {
            writer.write(2_000)
            writer.rotateCopyTruncate()
        }
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("50 copytruncate rotations", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
        #expect(writer.achievedRate >= 18_000, "the writer must keep up about 20k lines/s")
        #expect(!daemon.stderr.contains("are lost"))
    }

    @Test func rotatedFilesGzippedWhileRunning() throws {
        // The pattern also matches the rotated and compressed names: none may be read twice.
        let daemon = try DaemonHarness(pattern: "app.log*")
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        for _ in 0..<20 {
            writer.write(2_000)
            writer.rotateRename()
            writer.write(500)
            writer.gzipRotated()
        }
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count)
        usleep(1_500_000)  // time to (wrongly) pick up a .gz again
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("20 rotations + gzip", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
        #expect(writer.achievedRate >= 18_000, "the writer must keep up about 20k lines/s")
    }

    @Test func killNineAndRestart() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        let done = DoneFlag()
        nonisolated(unsafe) let unsafeWriter = writer
        Thread.detachNewThread {
            for round in 0..<20 {
                unsafeWriter.write(3_000)
                if round % 4 == 3 { unsafeWriter.rotateRename() }
            }
            done.value.store(true, ordering: .releasing)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            usleep(UInt32.random(in: 50_000...300_000, using: &generator))
            daemon.kill9()
            try daemon.start()
        }
        while !done.value.load(ordering: .acquiring) { usleep(10_000) }
        daemon.waitForHits(writer.expected.count)
        usleep(500_000)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("20 kill -9 + restart", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
        #expect(writer.achievedRate >= 18_000, "the writer must keep up about 20k lines/s")
        #expect(daemon.starts == 21)
    }

    @Test func reloadWithChangedWatchlist() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.otherHost = true
        writer.write(10_000)  // other.test not watched yet
        let before = writer.otherLines
        writer.otherHost = false
        writer.write(4_000)
        daemon.waitForHits(writer.expected.count)
        try "evil.test\nother.test\n".write(toFile: daemon.watchPath, atomically: true, encoding: .utf8)
        daemon.hup()
        #expect(daemon.waitForLog("reloaded"))
        writer.write(4_000)
        writer.otherHost = true
        writer.write(10_000)  // other.test watched now
        let after = Array(writer.otherLines.dropFirst(before.count))
        daemon.waitForHits(writer.expected.count + after.count)
        #expect(daemon.stop().status == 0)
        let got = daemon.hitSequences()
        expectEveryHitOnce("reload mid-stream", expected: (writer.expected + after).sorted(), got: got, writer: writer, daemon: daemon)
        #expect(Set(got).intersection(before).isEmpty)
        #expect(got.count == writer.expected.count + after.count)
    }

    @Test func invalidWatchlistOnReloadKeepsTheOldOne() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(5_000)
        try "evil.test\nnot a domain!\n".write(toFile: daemon.watchPath, atomically: true, encoding: .utf8)
        daemon.hup()
        #expect(daemon.waitForLog("reload failed"))
        writer.write(5_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        #expect(daemon.stderr.contains("watched.txt:2"))
        expectEveryHitOnce("invalid watchlist on reload", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }
}

/// Set by the writer thread when it is done.
final class DoneFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// Rotation corner cases from the reliability catalogue (../shared/RELIABILITY.md, section A).
@Suite(.serialized) struct DaemonTailingEdgeTests {
    /// A6: copytruncate while the reader lags; the unread lines are read from the copy.
    @Test func copyTruncateWhileLaggingReadsTheCopy() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count)
        kill(daemon.process!.processIdentifier, SIGSTOP)
        writer.write(5_000)  // written, never read before the truncation
        writer.rotateCopyTruncate()
        writer.write(1_000)
        kill(daemon.process!.processIdentifier, SIGCONT)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("copytruncate while lagging", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
        #expect(daemon.stderr.contains("reading the lines not yet read from its copy"))
    }

    /// A5: copytruncate with a writer that does not use O_APPEND: it goes on writing at its old
    /// offset, so the truncated file regrows with a hole of NUL bytes before the new lines.
    @Test func copyTruncateWithAWriterWithoutAppend() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath, appends: false)
        writer.hitEvery = 1  // the line right after the hole must be a hit too
        try daemon.startAndWait()
        for _ in 0..<20 {
            writer.write(1_000)
            writer.rotateCopyTruncate()
        }
        writer.write(1_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("copytruncate, writer without O_APPEND", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }

    /// A8: truncated (copytruncate) while the daemon was stopped.
    @Test func copyTruncateWhileStopped() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        writer.write(3_000)
        writer.rotateCopyTruncate()
        writer.write(1_000)
        try daemon.startAndWait()
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        // Three more restarts with nothing new: nothing is read again.
        for _ in 0..<3 {
            try daemon.startAndWait()
            usleep(300_000)
            #expect(daemon.stop().status == 0)
        }
        expectEveryHitOnce("copytruncate while stopped", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }

    /// A1: the writer keeps writing to the renamed file for a while after the rename.
    @Test func writerKeepsWritingToTheRenamedFile() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        for _ in 0..<10 {
            writer.write(1_000)
            writer.renameOnly()  // the writer's descriptor still points at the renamed file
            writer.write(1_000)  // 50 ms more into the renamed file
            writer.reopen()
        }
        writer.write(1_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("writes after rename", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }

    /// A16 and A18: a partial last line across a clean stop, and SIGTERM under load.
    @Test func partialLineAndCleanStopUnderLoad() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(5_000)
        writer.writeRaw("1795923904.781      5 10.9.9.9 TCP_MISS/200 365 GET http://www.evil.test/seq/")
        let stop = daemon.stop()
        #expect(stop.status == 0)
        #expect(stop.seconds < 5)
        writer.writeRaw("999999 alice HIER_DIRECT/127.0.0.1 text/html\n")
        try daemon.startAndWait()
        writer.write(5_000)
        daemon.waitForHits(writer.expected.count + 1)
        let second = daemon.stop()
        #expect(second.status == 0)
        #expect(second.seconds < 5)
        let got = daemon.hitSequences()
        expectEveryHitOnce("partial line + SIGTERM", expected: (writer.expected + [999_999]).sorted(), got: got, writer: writer, daemon: daemon)
    }

    /// A file created and rotated away while the daemon was not looking (held up: here
    /// stopped with SIGSTOP) is found through inotify's rename events and read whole.
    @Test func fileRotatedBeforeItWasSeen() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(1_000)
        daemon.waitForHits(writer.expected.count)
        kill(daemon.process!.processIdentifier, SIGSTOP)
        writer.write(1_000)
        writer.rotateRename()
        writer.write(1_000)  // this file lives at app.log only while the daemon is stopped
        writer.rotateRename()
        writer.write(1_000)
        kill(daemon.process!.processIdentifier, SIGCONT)
        daemon.waitForHits(writer.expected.count, timeout: 10)
        #expect(daemon.stop().status == 0)
        #expect(daemon.stderr.contains("app.log.1 from byte 0 (created and rotated away from \(daemon.logPath) between two scans)"))
        expectEveryHitOnce("rotated before seen", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }

    /// A23: the directory does not exist at start; created later, its file is read from byte 0.
    @Test func directoryCreatedLater() throws {
        let daemon = try DaemonHarness(pattern: "later/*.log")
        try daemon.start()
        #expect(daemon.waitForLog("ingestion started"))
        usleep(300_000)
        try FileManager.default.createDirectory(at: daemon.dir.appendingPathComponent("later"), withIntermediateDirectories: true)
        let writer = LogWriter(path: daemon.dir.appendingPathComponent("later/app.log").path)
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count, timeout: 10)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("directory created later", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }

    /// A9/A15: the file is deleted and a different one created at the same path.
    @Test func deleteAndRecreate() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        for _ in 0..<5 {
            writer.write(1_000)
            daemon.waitForHits(writer.expected.count)
            unlink(daemon.logPath)
            writer.reopen()
        }
        writer.write(1_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        expectEveryHitOnce("delete and recreate", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }
}

/// Restarts across rotation and compression, and the JSONL sink's own rotation.
@Suite(.serialized) struct DaemonRestartTests {
    /// C1: stopped mid-file; the file is rotated and gzipped meanwhile; the rest is read from
    /// the .gz (decompress and skip), nothing twice.
    @Test func resumesInsideAGzippedRotation() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(3_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        writer.write(3_000)  // unread when the daemon stopped
        writer.rotateRename()
        writer.gzipRotated()
        writer.write(1_000)
        try daemon.startAndWait()
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        #expect(daemon.stderr.contains("app.log.1.gz from byte"))
        expectEveryHitOnce("resume inside a .gz", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
    }

    /// A file created and rotated away while the daemon was stopped (it never saw it under
    /// app.log) is found next to app.log at the restart: written after the checkpoint, unknown.
    @Test func fileCreatedAndRotatedWhileStopped() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count)
        #expect(daemon.stop().status == 0)
        usleep(100_000)
        writer.write(1_000)
        writer.rotateRename()
        writer.write(1_000)  // only ever at app.log while the daemon is down
        writer.rotateRename()
        writer.write(1_000)
        try daemon.startAndWait()
        daemon.waitForHits(writer.expected.count, timeout: 10)
        #expect(daemon.stop().status == 0)
        #expect(daemon.stderr.contains("app.log.1 from byte 0 (written after the last checkpoint, rotated away from \(daemon.logPath) while hostwatch was down)"))
        expectEveryHitOnce("created and rotated while stopped", expected: writer.expected, got: daemon.hitSequences(), writer: writer, daemon: daemon)
        // Started again: nothing is read twice (the file is known now).
        try daemon.startAndWait()
        usleep(500_000)
        #expect(daemon.stop().status == 0)
        #expect(daemon.hitSequences().count == writer.expected.count)
    }

    /// The hits file renamed away (logrotate's create mode): the sink notices and reopens; no
    /// hit is lost across the two files.
    @Test func hitsFileRotatedExternally() throws {
        let daemon = try DaemonHarness()
        let writer = LogWriter(path: daemon.logPath)
        try daemon.startAndWait()
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count)
        rename(daemon.hitsPath, daemon.hitsPath + ".1")
        usleep(600_000)  // one poll interval (200 ms) and more
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count - 400)
        daemon.hup()  // and a SIGHUP reopen on top, as the logrotate snippet sends
        #expect(daemon.waitForLog("reloaded"))
        writer.write(2_000)
        daemon.waitForHits(writer.expected.count - 400)
        #expect(daemon.stop().status == 0)
        let rotated = daemon.hitSequences(path: daemon.hitsPath + ".1")
        let current = daemon.hitSequences()
        #expect(rotated.count == 400)
        expectEveryHitOnce("hits file rotated", expected: writer.expected, got: rotated + current, writer: writer, daemon: daemon)
        #expect(daemon.stderr.contains("reopened \(daemon.hitsPath) (the file was moved or deleted)"))
    }
}

/// Two sources with different formats: each file keeps its source's parser, also when it is
/// found again after a restart under a rotated name.
@Suite struct DaemonMultiSourceTests {
    @Test func eachSourceKeepsItsFormatAcrossRotationWhileStopped() throws {
        let daemon = try DaemonHarness()
        let dnsPath = daemon.dir.appendingPathComponent("dnsmasq.log").path
        let config = """
            state_dir = "state"
            [[source]]
            name = "proxy"
            paths = ["app.log"]
            format = "squid"
            start_at = "beginning"
            [[source]]
            name = "dns"
            paths = ["dnsmasq.log"]
            format = "dnsmasq"
            start_at = "beginning"
            time_zone = "UTC"
            [watchlist]
            files = ["watched.txt"]
            [[sink]]
            type = "jsonl"
            path = "state/hits.jsonl"
            [api]
            listen = ""
            """
        try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let proxy = LogWriter(path: daemon.logPath)
        var dnsSeq = 0
        func writeDNS(_ count: Int) {
            var text = ""
            for _ in 0..<count {
                dnsSeq += 1
                text += "Nov 29 03:45:04 dnsmasq[7]: query[A] q\(dnsSeq).evil.test from 10.0.0.9\n"
            }
            let handle = FileHandle(forWritingAtPath: dnsPath) ?? {
                _ = FileManager.default.createFile(atPath: dnsPath, contents: nil)
                return FileHandle(forWritingAtPath: dnsPath)!
            }()
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            handle.closeFile()
        }
        writeDNS(100)
        try daemon.startAndWait()
        proxy.write(1_000)
        daemon.waitForLines(proxy.expected.count + 100)
        #expect(daemon.stop().status == 0)
        writeDNS(100)  // unread when the daemon stopped
        rename(dnsPath, dnsPath + ".1")
        writeDNS(50)  // a new dnsmasq.log
        proxy.write(1_000)
        try daemon.startAndWait()
        daemon.waitForLines(proxy.expected.count + 250)
        #expect(daemon.stop().status == 0)

        let data = try #require(FileManager.default.contents(atPath: daemon.hitsPath))
        var dnsHosts: [String] = []
        var formats: [String: Int] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let format = try #require(object["format"] as? String)
            formats[format, default: 0] += 1
            if format == "dnsmasq" { dnsHosts.append(try #require(object["host"] as? String)) }
        }
        #expect(formats == ["squid": proxy.expected.count, "dnsmasq": 250])
        #expect(Set(dnsHosts).count == 250)
        #expect(Set(dnsHosts) == Set((1...250).map { "q\($0).evil.test" }))
        expectEveryHitOnce("two sources", expected: proxy.expected, got: daemon.hitSequences(), writer: proxy)
    }
}
