import BlockRules
import DomainMatch
import Foundation
import Testing

@Suite("Block files: publishing safely")
struct PublisherTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func target(_ format: BlockFormat = .squid, name: String = "blocked.acl") -> BlockTarget {
        var target = BlockTarget(format: format, path: dir.path + "/" + name)
        // Each reload appends a line, so a test can count them.
        target.reload = ["/bin/sh", "-c", "echo reload >> \(dir.path)/reloads"]
        return target
    }

    var reloads: Int { dir.read("reloads")?.split(separator: "\n").count ?? 0 }

    static func rules(_ count: Int, prefix: String = "n") -> BlockSet {
        BlockSet((0..<count).map { BlockRule("\(prefix)\($0).example") })
    }

    @Test("first publication writes the file and reloads; the same list again writes nothing and does not reload")
    func unchanged() throws {
        let t = target()
        let first = try BlockPublisher.publish(Self.rules(3), to: t, now: 1000)
        #expect(first.outcome == .published)
        #expect(first.diff.added.count == 3)
        #expect(dir.read("blocked.acl")?.hasSuffix(".n0.example\n.n1.example\n.n2.example\n") == true)
        #expect(reloads == 1)
        let before = try FileManager.default.attributesOfItem(atPath: t.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.02)
        let second = try BlockPublisher.publish(Self.rules(3), to: t, now: 2000)
        #expect(second.outcome == .unchanged)
        #expect(reloads == 1)
        #expect(try FileManager.default.attributesOfItem(atPath: t.path)[.modificationDate] as? Date == before)
        // Nothing is left behind but the file itself (no .prev before a second version).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["blocked.acl", "reloads"])
    }

    @Test("a change replaces the file, keeps the old one as .NAME.prev, keeps its mode, and reloads once")
    func replaces() throws {
        let t = target()
        _ = try BlockPublisher.publish(Self.rules(20), to: t, now: 1000)
        chmod(t.path, 0o640)
        let result = try BlockPublisher.publish(Self.rules(21), to: t, now: 1001)
        #expect(result.outcome == .published)
        #expect(result.diff.added == [BlockRule("n20.example")])
        #expect(result.diff.removed.isEmpty)
        #expect(dir.read(".blocked.acl.prev")?.contains(".n19.example\n") == true)
        #expect(dir.read(".blocked.acl.prev")?.contains("n20") == false)
        #expect(dir.read("blocked.acl")?.contains(".n20.example\n") == true)
        #expect(reloads == 2)
        #expect(!dir.exists(".blocked.acl.hostwatch-new"))
        #expect((try FileManager.default.attributesOfItem(atPath: t.path)[.posixPermissions] as? Int) == 0o640)
    }

    @Test("a failing validator keeps the old file, removes the candidate, does not reload, and says why")
    func validatorFails() throws {
        var t = target()
        _ = try BlockPublisher.publish(Self.rules(20), to: t, now: 1000)
        let old = dir.read("blocked.acl")
        // The validator sees the candidate's path in place of {}.
        t.validate = ["/bin/sh", "-c", "echo checking $1; grep -q n20 $1 && echo 'FATAL: bad entry' && exit 3; exit 0", "sh", "{}"]
        #expect(throws: BlockRulesError(
            "\(t.path): the validator rejected the new file (exit 3: checking \(dir.path)/.blocked.acl.hostwatch-new | FATAL: bad entry); the old file stays",
            kind: .validation)
        ) { try BlockPublisher.publish(Self.rules(21), to: t, now: 1001) }
        #expect(dir.read("blocked.acl") == old)
        #expect(!dir.exists(".blocked.acl.hostwatch-new"))
        #expect(reloads == 1)
    }

    @Test("a failing reload puts the old file back and reloads it again")
    func reloadFails() throws {
        var t = target()
        _ = try BlockPublisher.publish(Self.rules(20), to: t, now: 1000)
        let old = dir.read("blocked.acl")
        // Fails while the new file (with n20) is in place, succeeds once the old one is back.
        t.reload = ["/bin/sh", "-c", "echo reload >> \(dir.path)/reloads; if grep -q n20 $1; then echo 'daemon refused'; exit 1; fi", "sh", "{}"]
        #expect(throws: BlockRulesError(
            "\(t.path): the reload command failed (exit 1: daemon refused); the previous file was put back", kind: .reload)
        ) { try BlockPublisher.publish(Self.rules(21), to: t, now: 1001) }
        #expect(dir.read("blocked.acl") == old)
        #expect(reloads == 3)
    }

    @Test("a validator that hangs is killed after the timeout and counts as failed")
    func validatorTimeout() throws {
        var t = target()
        t.validate = ["/bin/sleep", "30"]
        t.commandTimeout = 0.3
        let start = Date()
        #expect(throws: BlockRulesError(
            "\(t.path): the validator rejected the new file (timed out); the old file stays", kind: .validation)
        ) { try BlockPublisher.publish(Self.rules(3), to: t, now: 1000) }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(!dir.exists("blocked.acl"))
    }

    @Test("the change guard holds a feed outage (shrink to 0) and a flood (10×); --force publishes anyway")
    func changeGuard() throws {
        let t = target()
        _ = try BlockPublisher.publish(Self.rules(100), to: t, now: 1000)
        let old = dir.read("blocked.acl")
        #expect(throws: BlockRulesError(
            "\(t.path): not replaced: it would remove 100 of 100 entries (more than 50%; is the feed broken?); the old file stays (use --force to publish anyway)",
            kind: .changeGuard)
        ) { try BlockPublisher.publish(BlockSet(), to: t, now: 1001) }
        #expect(throws: BlockRulesError(
            "\(t.path): not replaced: it would add 900 entries to 100 (more than 50%; is the feed flooded?); the old file stays (use --force to publish anyway)",
            kind: .changeGuard)
        ) { try BlockPublisher.publish(Self.rules(1000), to: t, now: 1001) }
        #expect(dir.read("blocked.acl") == old)
        #expect(reloads == 1)
        // Within the share, and small changes under the floor, pass.
        #expect(try BlockPublisher.publish(Self.rules(150), to: t, now: 1002).outcome == .published)
        #expect(ChangeGuard().problem(old: 4, added: 10, removed: 4) == nil)
        #expect(try BlockPublisher.publish(BlockSet(), to: t, force: true, now: 1003).outcome == .published)
        #expect(dir.read("blocked.acl")?.hasSuffix("0 names. Generated from the watchlist; do not edit, it is overwritten.\n") == true)
    }

    @Test("a file hostwatch did not write is left alone, unless forced")
    func foreignFile() throws {
        let t = target()
        try dir.write("blocked.acl", "# the proxy team's own list\n.example.org\nacl x src 10.0.0.0/8\n")
        #expect(throws: BlockRulesError(
            "\(t.path): exists and was not written by hostwatch (line 3 ('acl x src 10.0.0.0/8') is not one hostwatch writes); move it away, or use --force to overwrite it",
            kind: .foreignFile)
        ) { try BlockPublisher.publish(Self.rules(1), to: t, now: 1000) }
        #expect(try BlockPublisher.publish(Self.rules(1), to: t, force: true, now: 1000).outcome == .published)
    }

    @Test("check mode validates without replacing; diff mode writes nothing")
    func checkAndDiff() throws {
        var t = target()
        _ = try BlockPublisher.publish(Self.rules(20), to: t, now: 1000)
        let old = dir.read("blocked.acl")
        t.validate = ["/bin/true"]
        let checked = try BlockPublisher.publish(Self.rules(22), to: t, mode: .check, now: 1001)
        #expect(checked.outcome == .checked)
        let diff = try BlockPublisher.publish(BlockSet((1..<22).map { BlockRule("n\($0).example") }), to: t, mode: .diff, now: 1001)
        #expect(diff.outcome == .diffed)
        #expect(diff.diff.added == [BlockRule("n20.example"), BlockRule("n21.example")])
        #expect(diff.diff.removed == [BlockRule("n0.example")])
        #expect(dir.read("blocked.acl") == old)
        #expect(!dir.exists(".blocked.acl.hostwatch-new"))
        #expect(reloads == 1)
    }

    @Test("RPZ serial: grows on every change (150 in a second), never goes back when the clock does, wraps by RFC 1982")
    func serial() throws {
        let t = target(.rpz, name: "hostwatch.rpz")
        var last: UInt32 = 0
        for i in 0..<150 {
            let result = try BlockPublisher.publish(Self.rules(20 + i), to: t, now: 1_800_000_000)
            let serial = try #require(result.serial)
            if i > 0 { #expect(serial == last &+ 1) }
            last = serial
            // The serial is read back from the file itself, so a restart continues from it.
            #expect(ParsedBlockFile.read(Array(dir.read("hostwatch.rpz")!.utf8), format: .rpz).serial == serial)
        }
        #expect(last == 1_800_000_149)
        // Unchanged content: the serial stays.
        #expect(try BlockPublisher.publish(Self.rules(169), to: t, now: 1_800_000_500).serial == last)
        // The clock set back two days: still old + 1.
        #expect(try BlockPublisher.publish(Self.rules(170), to: t, now: 1_800_000_000 - 172_800).serial == last + 1)
        // Later the clock is ahead again: the serial jumps to it.
        #expect(try BlockPublisher.publish(Self.rules(171), to: t, now: 1_900_000_000).serial == 1_900_000_000)
        // Near 2^32 the next serial wraps and is still "greater" under RFC 1982.
        #expect(BlockPublisher.nextSerial(after: 4_294_967_295, now: 4_000_000_000) == 0)
        #expect(BlockPublisher.nextSerial(after: 4_294_967_000, now: 4_294_966_000) == 4_294_967_001)
        // …and a clock that is ahead (mod 2^32, by less than 2^31) is taken: that is "greater" too.
        #expect(BlockPublisher.nextSerial(after: 4_294_967_295, now: 1_800_000_000) == 1_800_000_000)
        #expect(BlockPublisher.nextSerial(after: nil, now: 1_800_000_000) == 1_800_000_000)
    }
}
