// hostwatch's block files, proved against the real daemons (Debian's squid, named, unbound,
// dnsmasq) on loopback: the watchlist goes through selection, the guards, the writer, the
// daemon's own checker (as the publisher's validator) and an atomic publish; then the daemon
// is started with the file and asked. Each daemon is started and stopped by the test, by PID.

import BlockRules
import DomainMatch
import Foundation
import Testing
import Watchlist

/// A feed with what a real one carries: blocks, an alert-only lookalike, an allowlisted
/// domain and a name under it, an exact entry, an exact entry above a blocked subdomain, and
/// injections aimed at each daemon's syntax (skipped at load, reported).
let realFeed = """
    evil.test action=block
    phish.example action=block
    =host.bad.example action=block
    =exact-parent.test action=block
    deep.exact-parent.test action=block
    notevil.test action=alert risk=100
    corp.example action=block
    x.y.corp.example action=block
    com action=block
    x.example";local-zone: "notevil.test
    x.example/
    server=/notevil.test/192.0.2.66
    $ORIGIN notevil.test.rpz.hostwatch.
    notevil.test CNAME .
    """

let realAllow = "corp.example\n"

/// Names the daemons must block, and names that must still answer.
let mustBlock = ["evil.test", "x7k2.evil.test", "phish.example", "www.phish.example", "host.bad.example", "exact-parent.test", "deep.exact-parent.test", "a.deep.exact-parent.test"]
let mustAnswer = ["corp.example", "x.y.corp.example", "notevil.test", "www.notevil.test", "sub.host.bad.example", "sub.exact-parent.test"]

/// Selects from the feed above and publishes `format` to `dir` with `validate`; checks what the
/// guards reported.
func publishRealFeed(_ format: BlockFormat, in dir: TempDir, validate: [String], configure: (inout BlockFormatOptions) -> Void = { _ in }) throws -> (path: String, text: String) {
    var builder = WatchlistBuilder(invalidEntries: .skip)
    builder.addText(Array(realFeed.utf8), file: "feed.txt", role: .watch)
    builder.addText(Array(realAllow.utf8), file: "allow.txt", role: .allow)
    let list = try builder.build()
    // "com" is a single label: refused at load, like the four injection lines.
    #expect(list.skipped.map(\.line) == [9, 10, 11, 12, 13, 14])
    let (set, report) = BlockSet.select(from: list, selection: BlockSelection(), publicSuffixes: publicSuffixes)
    #expect(
        report.excluded.map(\.description) == [
            "corp.example: also an allow entry; allow entries are never blocked",
            "x.y.corp.example: under allow entry corp.example; allow entries are never blocked",
        ])
    var target = BlockTarget(format: format, path: dir.path + "/hostwatch.\(format.rawValue)")
    configure(&target.options)
    target.validate = validate
    let result = try BlockPublisher.publish(set, to: target, now: 1_800_000_000)
    #expect(result.outcome == .published)
    let text = try String(contentsOfFile: target.path, encoding: .utf8)
    for forbidden in ["notevil", "corp", "192.0.2.66", "local-zone: \"x", "$ORIGIN notevil"] {
        #expect(!text.contains(forbidden), "\(format): \(forbidden) in\n\(text)")
    }
    return (target.path, text)
}

@Suite("Block files in the real daemons", .serialized)
struct RealDaemonBlockTests {
    @Test("squid: the ACL passes squid -k parse, denies blocked names with TCP_DENIED/403, passes the rest")
    func squid() async throws {
        let dir = try TempDir()
        let checker = repositoryRoot + "/deploy/squid-check-acl"
        let (path, _) = try publishRealFeed(.squid, in: dir, validate: [checker, "{}"])
        let origin = try OriginServer()
        defer { origin.stop() }
        let hosts = try writeSquidHostsFile(names: mustBlock + mustAnswer, in: URL(fileURLWithPath: dir.path))
        let proxy = try await startSquid(aclFile: URL(fileURLWithPath: path), hostsFile: hosts)
        for name in mustBlock {
            let url = "http://\(name):\(origin.port)/"
            #expect(try proxy.get(url).status == 403, "\(url)")
            #expect(try await proxy.accessLogLine(for: url).contains(" TCP_DENIED/403 "), "\(url)")
        }
        for name in mustAnswer {
            let url = "http://\(name):\(origin.port)/"
            let response = try proxy.get(url)
            #expect(response.status == 200, "\(url)")
            #expect(response.body == "hostwatch origin: host=\(name):\(origin.port)\n")
            #expect(try await proxy.accessLogLine(for: url).contains(" TCP_MISS/200 "), "\(url)")
        }
        #expect(try proxy.get("https://evil.test/").status == 403)
        let stop = await proxy.daemon.stop()
        #expect(stop.status?.exitCode == 0)
    }

    @Test("named: the RPZ zone passes named-checkzone -k fail; blocked names NXDOMAIN, the rest answer")
    func named() async throws {
        let dir = try TempDir()
        let (path, _) = try publishRealFeed(.rpz, in: dir, validate: ["named-checkzone", "-k", "fail", "rpz.hostwatch", "{}"])
        let named = try await startNamed(rpzZoneFile: URL(fileURLWithPath: path), zoneName: "rpz.hostwatch")
        try await expectDNS(port: named.port, blocked: "NXDOMAIN")
        #expect(await named.stop().status?.exitCode == 0)
    }

    @Test("named: NODATA and a walled garden (A, and NXDOMAIN for a '_' name) answer as configured")
    func namedPolicies() async throws {
        let dir = try TempDir()
        let (path, _) = try publishRealFeed(.rpz, in: dir, validate: ["named-checkzone", "-k", "fail", "rpz.hostwatch", "{}"]) {
            $0.answer = .nodata
        }
        let named = try await startNamed(rpzZoneFile: URL(fileURLWithPath: path), zoneName: "rpz.hostwatch")
        for name in ["evil.test", "x7k2.evil.test"] {
            #expect(try await dnsQuery(port: named.port, name: name).isNoData, "\(name)")
        }
        _ = await named.stop()

        // Walled garden, with a '_' name that named would refuse an A record for.
        var target = BlockTarget(format: .rpz, path: dir.path + "/garden.rpz")
        target.options.answer = .redirect(.ipv4("192.0.2.10"))
        target.validate = ["named-checkzone", "-k", "fail", "rpz.hostwatch", "{}"]
        let result = try BlockPublisher.publish(BlockSet([BlockRule("evil.test"), BlockRule("_srv.phish.example")]), to: target, now: 1)
        #expect(result.render.answeredNXDOMAIN == [BlockRule("_srv.phish.example")])
        let garden = try await startNamed(rpzZoneFile: URL(fileURLWithPath: target.path), zoneName: "rpz.hostwatch")
        for name in ["evil.test", "x7k2.evil.test"] {
            #expect(try await dnsQuery(port: garden.port, name: name).records("A") == ["192.0.2.10"], "\(name)")
        }
        #expect(try await dnsQuery(port: garden.port, name: "_srv.phish.example").rcode == "NXDOMAIN")
        #expect(try await dnsQuery(port: garden.port, name: "notevil.test").records("A") == ["127.0.0.1"])
        #expect(await garden.stop().status?.exitCode == 0)
    }

    @Test("unbound: the include passes unbound-checkconf; blocked names NXDOMAIN, exact names 0.0.0.0, the rest answer")
    func unbound() async throws {
        let dir = try TempDir()
        let (path, _) = try publishRealFeed(.unbound, in: dir, validate: ["unbound-checkconf", "{}"])
        let unbound = try await startUnbound(includeFile: URL(fileURLWithPath: path))
        try await expectDNS(port: unbound.port, blocked: "NXDOMAIN", exactAnswersNull: true)
        #expect(await unbound.stop().status?.exitCode == 0)
    }

    @Test("unbound: a walled garden redirects the name and its subdomains")
    func unboundRedirect() async throws {
        let dir = try TempDir()
        let (path, _) = try publishRealFeed(.unbound, in: dir, validate: ["unbound-checkconf", "{}"]) {
            $0.answer = .redirect(.ipv4("192.0.2.10"))
        }
        let unbound = try await startUnbound(includeFile: URL(fileURLWithPath: path))
        for name in ["evil.test", "x7k2.evil.test", "host.bad.example"] {
            #expect(try await dnsQuery(port: unbound.port, name: name).records("A") == ["192.0.2.10"], "\(name)")
        }
        #expect(try await dnsQuery(port: unbound.port, name: "sub.host.bad.example").records("A") == ["127.0.0.1"])
        #expect(try await dnsQuery(port: unbound.port, name: "notevil.test").records("A") == ["127.0.0.1"])
        #expect(await unbound.stop().status?.exitCode == 0)
    }

    @Test("dnsmasq: the conf passes dnsmasq --test; blocked names NXDOMAIN (exact ones only the name), the rest answer")
    func dnsmasq() async throws {
        let dir = try TempDir()
        let (path, text) = try publishRealFeed(.dnsmasq, in: dir, validate: ["dnsmasq", "--test", "--conf-file={}"])
        #expect(text.contains("address=/host.bad.example/\nserver=/*.host.bad.example/#\n"))
        let dnsmasq = try await startDnsmasq(confFile: URL(fileURLWithPath: path))
        try await expectDNS(port: dnsmasq.port, blocked: "NXDOMAIN")
        #expect(await dnsmasq.stop().status?.exitCode == 0)
    }

    @Test("dnsmasq: null answers 0.0.0.0 and ::, a walled garden its address for A and :: for AAAA (nothing leaks upstream)")
    func dnsmasqPolicies() async throws {
        let dir = try TempDir()
        for (policy, a, aaaa) in [
            (BlockAnswer.null, "0.0.0.0", "::"), (.redirect(.ipv4("192.0.2.10")), "192.0.2.10", "::"),
        ] {
            let (path, _) = try publishRealFeed(.dnsmasq, in: dir, validate: ["dnsmasq", "--test", "--conf-file={}"]) {
                $0.answer = policy
            }
            let dnsmasq = try await startDnsmasq(confFile: URL(fileURLWithPath: path))
            for name in ["evil.test", "x7k2.evil.test", "host.bad.example"] {
                #expect(try await dnsQuery(port: dnsmasq.port, name: name, type: "A").records("A") == [a], "\(policy) \(name)")
                #expect(try await dnsQuery(port: dnsmasq.port, name: name, type: "AAAA").records("AAAA") == [aaaa], "\(policy) \(name)")
            }
            for name in ["sub.host.bad.example", "notevil.test"] {
                #expect(try await dnsQuery(port: dnsmasq.port, name: name).records("A") == ["127.0.0.1"], "\(policy) \(name)")
            }
            #expect(await dnsmasq.stop().status?.exitCode == 0)
            try FileManager.default.removeItem(atPath: path)
        }
    }

    /// Every blocked name (A and AAAA) gets `blocked`, every other name its fake-internet answer.
    func expectDNS(port: UInt16, blocked: String, exactAnswersNull: Bool = false) async throws {
        let exact: Set = ["host.bad.example", "exact-parent.test"]
        for name in mustBlock {
            for type in ["A", "AAAA"] {
                let answer = try await dnsQuery(port: port, name: name, type: type)
                if exactAnswersNull, exact.contains(name) {
                    #expect(answer.records(type) == [type == "A" ? "0.0.0.0" : "::"], "\(name)/\(type) → \(answer)")
                } else {
                    #expect(answer.rcode == blocked, "\(name)/\(type) → \(answer)")
                }
            }
        }
        for name in mustAnswer {
            let answer = try await dnsQuery(port: port, name: name)
            #expect(answer.rcode == "NOERROR" && answer.records("A") == ["127.0.0.1"], "\(name) → \(answer)")
        }
    }
}

/// The repository root, from this file's path (Tests/BlockRulesTests/…).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
