import Foundation
import Testing
import SeededRandom

@Suite("hostwatch blocklist (the CLI) and [[blocklist]] in the daemon")
struct BlocklistTests {
    let dir: URL
    init() throws { dir = try makeTemporaryDirectory() }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func read(_ name: String) -> String? { try? String(contentsOfFile: dir.appendingPathComponent(name).path, encoding: .utf8) }

    @Test("writes the file, reports each entry left out, and says so on standard error; exit 0")
    func writes() throws {
        let watch = try write(
            "feed.txt",
            "evil.test action=block\nlogin.evil.test action=block\nphish.example risk=90\nquiet.example action=alert risk=99\nco.uk action=block\ncorp.example action=block\n")
        let allow = try write("allow.txt", "mail.corp.example\n")
        let out = dir.appendingPathComponent("blocked.acl").path
        let result = try runHostwatch(["blocklist", "--format", "squid", "--watchlist", watch, "--allow", allow, "--out", out, "--min-risk", "80"])
        #expect(result.status == 0)
        #expect(
            read("blocked.acl") == """
                # hostwatch block list (Squid dstdomain ACL): 2 names. Generated from the watchlist; do not edit, it is overwritten.
                .evil.test
                .phish.example

                """)
        #expect(
            result.stderr == """
                squid \(out): published 2 entries (+2 -0, was 0); 1 covered by a parent entry, 2 refused by the guards
                  co.uk: a public suffix (Public Suffix List); blocking it would block everyone under it
                  corp.example: above allow entry mail.corp.example; blocking it would block an allowed name

                """)
        // The same again: nothing to do.
        let again = try runHostwatch(["blocklist", "--format", "squid", "--watchlist", watch, "--allow", allow, "--out", out, "--min-risk", "80"])
        #expect(again.status == 0)
        #expect(again.stderr.hasPrefix("squid \(out): unchanged, 2 entries"))
    }

    @Test("--diff prints + and - lines and writes nothing; --check runs the validator and replaces nothing")
    func diffAndCheck() throws {
        let watch = try write("feed.txt", "a.example\nb.example\n")
        let out = dir.appendingPathComponent("list.txt").path
        #expect(try runHostwatch(["blocklist", "--format", "plain", "--all", "--watchlist", watch, "--out", out]).status == 0)
        _ = try write("feed.txt", "b.example\nc.example\n")
        let diff = try runHostwatch(["blocklist", "--format", "plain", "--all", "--watchlist", watch, "--out", out, "--diff"])
        #expect(diff.status == 0)
        #expect(diff.stdoutText == "+ =c.example\n- =a.example\n")
        #expect(read("list.txt") == "a.example\nb.example\n")
        let check = try runHostwatch([
            "blocklist", "--format", "plain", "--all", "--watchlist", watch, "--out", out, "--check", "--validate", "/bin/grep -q c.example {}",
        ])
        #expect(check.status == 0)
        #expect(check.stderr.hasPrefix("plain \(out): checked: 2 entries (+1 -1) pass; nothing replaced"))
        #expect(read("list.txt") == "a.example\nb.example\n")
    }

    @Test("a failing validator: exit 1, the old file stays; an invalid watchlist: exit 2 with file:line")
    func failures() throws {
        let watch = try write("feed.txt", "a.example action=block\n")
        let out = dir.appendingPathComponent("zone.rpz").path
        let failed = try runHostwatch(["blocklist", "--format", "rpz", "--watchlist", watch, "--out", out, "--validate", "/bin/false"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("rpz \(out): FAILED: \(out): the validator rejected the new file (exit 1); the old file stays"))
        #expect(read("zone.rpz") == nil)

        let bad = try write("bad.txt", "good.example\nevil.test;reboot\n")
        let invalid = try runHostwatch(["blocklist", "--format", "rpz", "--watchlist", bad, "--out", out])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("\(bad):2: 'evil.test;reboot' is not a valid name"))
        // With --skip-invalid the rest is written and the line is reported.
        let skipped = try runHostwatch(["blocklist", "--format", "plain", "--all", "--skip-invalid", "--watchlist", bad, "--out", out])
        #expect(skipped.status == 0)
        #expect(skipped.stderr.hasPrefix("skipped \(bad):2: 'evil.test;reboot' is not a valid name"))
        #expect(read("zone.rpz") == "good.example\n")
        #expect(try runHostwatch(["blocklist", "--format", "nope", "--watchlist", bad, "--out", out]).status == 2)
    }

    @Test("the daemon writes [[blocklist]] files at start, re-renders on SIGHUP, and keeps the old file when the validator fails")
    func daemon() throws {
        let port = try freeLoopbackPort()
        let harness = try DaemonHarness(
            watched: ["evil.test action=block"], api: "127.0.0.1:\(port)",
            extraConfig: """
                [[blocklist]]
                format = "squid"
                path = "out/blocked.acl"
                reload = ["/bin/sh", "-c", "echo reload >> reloads"]
                [[blocklist]]
                format = "unbound"
                path = "out/blocked.conf"
                validate = ["/bin/sh", "-c", "! grep -q refused.example \\"$1\\"", "sh", "{}"]
                """)
        try FileManager.default.createDirectory(at: harness.dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        _ = LogWriter(path: harness.logPath)
        try harness.startAndWait()
        let acl = harness.dir.appendingPathComponent("out/blocked.acl").path
        let conf = harness.dir.appendingPathComponent("out/blocked.conf").path
        func waitFor(_ path: String, containing text: String) -> Bool {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if (try? String(contentsOfFile: path, encoding: .utf8))?.contains(text) == true { return true }
                usleep(50_000)
            }
            return false
        }
        #expect(waitFor(acl, containing: "\n.evil.test\n"))
        #expect(waitFor(conf, containing: "local-zone: \"evil.test.\" always_nxdomain\n"))

        try "evil.test action=block\nnew.example action=block\nrefused.example action=block\n".write(toFile: harness.watchPath, atomically: true, encoding: .utf8)
        harness.hup()
        #expect(waitFor(acl, containing: "\n.new.example\n.refused.example\n"), "\(harness.stderr)")
        #expect(harness.waitForLog("block file not replaced: unbound"))
        #expect(try String(contentsOfFile: conf, encoding: .utf8).contains("new.example") == false)
        let metrics = try httpGet(port: port, path: "/metrics")
        #expect(metrics.contains("hostwatch_blocklist_entries{format=\"squid\",path=\"\(acl)\"} 3\n"))
        #expect(metrics.contains("hostwatch_blocklist_entries{format=\"unbound\",path=\"\(conf)\"} 1\n"))
        #expect(metrics.contains("hostwatch_blocklist_failures_total{format=\"unbound\",path=\"\(conf)\",reason=\"validation\"} 1\n"))
        #expect(metrics.contains("hostwatch_blocklist_failing{format=\"unbound\",path=\"\(conf)\"} 1\n"))
        #expect(metrics.contains("hostwatch_blocklist_publications_total{format=\"squid\",path=\"\(acl)\"} 2\n"))
        let reloads = (try? String(contentsOfFile: harness.dir.appendingPathComponent("reloads").path, encoding: .utf8)) ?? ""
        #expect(reloads == "reload\nreload\n")
        #expect(harness.stop().status == 0)
    }
}

@Suite("The daemon follows its list files")
struct ListFileTests {
    @Test("a watchlist replaced on disk is reloaded without SIGHUP: new hits and a new block file")
    func reloadsAChangedList() throws {
        let harness = try DaemonHarness(
            watched: ["evil.test action=block"],
            extraConfig: """
                [[blocklist]]
                format = "plain"
                path = "blocked.txt"
                """)
        let writer = LogWriter(path: harness.logPath)
        try harness.startAndWait()
        let blocked = harness.dir.appendingPathComponent("blocked.txt").path
        func waitFor(_ text: String) -> Bool {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if (try? String(contentsOfFile: blocked, encoding: .utf8)) == text { return true }
                usleep(50_000)
            }
            return false
        }
        #expect(waitFor("evil.test\n"))
        // A feed job replaces the list the safe way: a new file renamed over the old one.
        let next = harness.watchPath + ".new"
        try "evil.test action=block\nbenign.test action=block\n".write(toFile: next, atomically: false, encoding: .utf8)
        #expect(rename(next, harness.watchPath) == 0)
        #expect(waitFor("benign.test\nevil.test\n"), "\(harness.stderr)")
        #expect(harness.stderr.contains("\(harness.watchPath) changed: reloading the configuration and watchlists"))
        // The matcher was reloaded too: www.benign.test lines are hits now, so every line is.
        writer.write(10)
        #expect(harness.waitForHits(10) == Array(1...10))
        #expect(harness.stop().status == 0)
    }
}

@Suite("Publishing survives kill -9")
struct PublishCrashTests {
    @Test("kill -9 at random moments of a publication: readers always see the whole old or the whole new file")
    func killDuringPublish() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let feeds = ["a", "b"].map { letter in dir.appendingPathComponent("feed-\(letter).txt").path }
        for (feed, letter) in zip(feeds, ["a", "b"]) {
            try (0..<30_000).map { "\(letter)\($0).example" }.joined(separator: "\n").write(toFile: feed, atomically: true, encoding: .utf8)
        }
        let out = dir.appendingPathComponent("blocked.txt").path
        let arguments = { (feed: String) in ["blocklist", "--format", "plain", "--all", "--force", "--watchlist", feed, "--out", out] }
        let start = Date()
        #expect(try runHostwatch(arguments(feeds[0])).status == 0)
        // How long a publication takes here, to kill within one.
        let duration = Date().timeIntervalSince(start) * 1.2
        let contents = feeds.map { feed in
            (try? String(contentsOfFile: feed, encoding: .utf8)).map { text in
                text.split(separator: "\n").sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: "\n") + "\n"
            }
        }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == contents[0])
        var rng = SplitMix64(state: 0x6B69_6C6C)
        var sawOld = 0
        var sawNew = 0
        var killedRunning = 0
        for round in 0..<10 {
            let process = Process()
            process.executableURL = hostwatchBinary
            process.arguments = arguments(feeds[(round + 1) % 2])
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Mostly in the second half, where the file is written, renamed and fsynced.
            usleep(UInt32((0.3 + 0.8 * Double(rng.next() % 1000) / 1000) * duration * 1e6))
            if process.isRunning { killedRunning += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = try String(contentsOfFile: out, encoding: .utf8)
            let which = contents.firstIndex(of: text)
            #expect(which != nil, "round \(round): the file is neither list (\(text.utf8.count) bytes)")
            if which == (round + 1) % 2 { sawNew += 1 } else { sawOld += 1 }
            // Start the next round from the file as it is.
            if which != (round + 1) % 2 { #expect(try runHostwatch(arguments(feeds[(round + 1) % 2])).status == 0) }
        }
        print("kill -9 during publish: \(killedRunning) of 10 killed while running; \(sawOld) left the old file, \(sawNew) the new one")
    }
}
