// Findings about the real daemons that hostwatch's writers depend on, kept as tests so they are
// re-checked whenever the Debian packages change. Each test name states the finding.

import Foundation
import Testing

@Suite("Findings: dnsmasq 2.90")
struct DnsmasqFindings {
    @Test("address=/name/ is NXDOMAIN for the name and every subdomain, for every type")
    func addressIsSuffixNXDOMAIN() async throws {
        let files = try TemporaryDirectory()
        let dnsmasq = try await startDnsmasq(confFile: try files.file("b.conf", "address=/evil.test/\n"))
        for name in ["evil.test", "a.evil.test", "b.a.evil.test"] {
            for type in ["A", "AAAA", "MX", "TXT"] {
                let answer = try await dnsQuery(port: dnsmasq.port, name: name, type: type)
                #expect(answer.rcode == "NXDOMAIN", "\(name)/\(type) → \(answer)")
            }
        }
        #expect(try await dnsQuery(port: dnsmasq.port, name: "notevil.test").records("A") == ["127.0.0.1"])
    }

    @Test("address=/name/ plus server=/*.name/# blocks exactly one name (order does not matter)")
    func exactOnlyBlock() async throws {
        let files = try TemporaryDirectory()
        let conf = try files.file(
            "b.conf",
            """
            server=/*.host.bad.example/#
            address=/host.bad.example/
            address=/only.test/
            server=/*.only.test/#

            """)
        let dnsmasq = try await startDnsmasq(confFile: conf)
        for name in ["host.bad.example", "only.test"] {
            #expect(try await dnsQuery(port: dnsmasq.port, name: name).rcode == "NXDOMAIN")
            #expect(try await dnsQuery(port: dnsmasq.port, name: name, type: "AAAA").rcode == "NXDOMAIN")
            let sub = try await dnsQuery(port: dnsmasq.port, name: "x7k2.\(name)")
            #expect(sub.rcode == "NOERROR" && sub.records("A") == ["127.0.0.1"], "x7k2.\(name) → \(sub)")
        }
    }

    @Test("server=/*.name/# under a blocked parent re-opens the subtree (writer must not emit it there)")
    func exactOnlyUnderBlockedParentLeaks() async throws {
        let files = try TemporaryDirectory()
        let conf = try files.file(
            "b.conf", "address=/bad.example/\naddress=/host.bad.example/\nserver=/*.host.bad.example/#\n")
        let dnsmasq = try await startDnsmasq(confFile: conf)
        #expect(try await dnsQuery(port: dnsmasq.port, name: "bad.example").rcode == "NXDOMAIN")
        #expect(try await dnsQuery(port: dnsmasq.port, name: "other.bad.example").rcode == "NXDOMAIN")
        #expect(try await dnsQuery(port: dnsmasq.port, name: "host.bad.example").rcode == "NXDOMAIN")
        #expect(try await dnsQuery(port: dnsmasq.port, name: "a.host.bad.example").rcode == "NOERROR")
    }

    @Test("address=/*.name/ blocks only the subdomains, not the name itself")
    func wildcardMeansSubdomainsOnly() async throws {
        let files = try TemporaryDirectory()
        let dnsmasq = try await startDnsmasq(confFile: try files.file("b.conf", "address=/*.wild.test/\n"))
        #expect(try await dnsQuery(port: dnsmasq.port, name: "wild.test").rcode == "NOERROR")
        #expect(try await dnsQuery(port: dnsmasq.port, name: "a.wild.test").rcode == "NXDOMAIN")
    }

    @Test("address=/name/0.0.0.0 sinkholes A only (AAAA goes upstream); /name/# gives 0.0.0.0 and ::")
    func sinkholeAddresses() async throws {
        let files = try TemporaryDirectory()
        let dnsmasq = try await startDnsmasq(
            confFile: try files.file("b.conf", "address=/zero.test/0.0.0.0\naddress=/null.test/#\n"))
        let zeroA = try await dnsQuery(port: dnsmasq.port, name: "a.zero.test")
        #expect(zeroA.records("A") == ["0.0.0.0"], "\(zeroA)")
        let zeroAAAA = try await dnsQuery(port: dnsmasq.port, name: "a.zero.test", type: "AAAA")
        #expect(zeroAAAA.records("AAAA") == ["::1"], "AAAA is forwarded upstream: \(zeroAAAA)")
        let nullA = try await dnsQuery(port: dnsmasq.port, name: "a.null.test")
        let nullAAAA = try await dnsQuery(port: dnsmasq.port, name: "a.null.test", type: "AAAA")
        #expect(nullA.records("A") == ["0.0.0.0"], "\(nullA)")
        #expect(nullAAAA.records("AAAA") == ["::"], "\(nullAAAA)")
    }

    @Test("a host-record (or hosts file entry) for a blocked name beats address=/name/")
    func hostsOverrideBlocks() async throws {
        let files = try TemporaryDirectory()
        let dnsmasq = try await startDnsmasq(
            confFile: try files.file("b.conf", "address=/evil.test/\nhost-record=evil.test,127.0.0.5\n"))
        #expect(try await dnsQuery(port: dnsmasq.port, name: "evil.test").records("A") == ["127.0.0.5"])
        #expect(try await dnsQuery(port: dnsmasq.port, name: "a.evil.test").rcode == "NXDOMAIN")
    }

    @Test("conf-dir skips dot-files, *~ and #*# files, but reads name.tmp unless excluded")
    func confDirSkipsDotFiles() async throws {
        let files = try TemporaryDirectory()
        let confDir = files.url.appendingPathComponent("dnsmasq.d")
        try FileManager.default.createDirectory(at: confDir, withIntermediateDirectories: false)
        try writeFile("address=/hidden.test/\n", named: ".hostwatch.conf", in: confDir)
        try writeFile("address=/tilde.test/\n", named: "hostwatch.conf~", in: confDir)
        try writeFile("address=/hash.test/\n", named: "#hostwatch.conf#", in: confDir)
        try writeFile("address=/tmp.test/\n", named: "hostwatch.conf.tmp", in: confDir)
        try writeFile("address=/normal.test/\n", named: "hostwatch.conf", in: confDir)
        let dnsmasq = try await startDnsmasq(confFile: try files.file("b.conf", "conf-dir=\(confDir.path)\n"))
        for skipped in ["hidden.test", "tilde.test", "hash.test"] {
            #expect(try await dnsQuery(port: dnsmasq.port, name: skipped).rcode == "NOERROR", "\(skipped)")
        }
        #expect(try await dnsQuery(port: dnsmasq.port, name: "normal.test").rcode == "NXDOMAIN")
        #expect(try await dnsQuery(port: dnsmasq.port, name: "tmp.test").rcode == "NXDOMAIN")
    }

    @Test("dnsmasq --test exit codes: 0 ok (names unchecked), 1 bad option/address, 3 unreadable")
    func testExitCodes() async throws {
        let files = try TemporaryDirectory()
        #expect(try await dnsmasqTest(confFile: try files.file("a", "address=/ev il_x.test/\n")).exitCode == 0)
        #expect(try await dnsmasqTest(confFile: try files.file("b", "bogus-option=1\n")).exitCode == 1)
        #expect(try await dnsmasqTest(confFile: try files.file("c", "address=evil.test\n")).exitCode == 1)
        #expect(try await dnsmasqTest(confFile: files.url.appendingPathComponent("missing")).exitCode == 3)
    }
}

@Suite("Findings: unbound 1.17")
struct UnboundFindings {
    @Test("stock unbound answers every .test name NXDOMAIN (built-in static local-zone)")
    func testTLDIsBlockedByDefault() async throws {
        let files = try TemporaryDirectory()
        let unbound = try await startUnbound(includeFile: try files.file("i.conf", "server:\n"), unblockTestTLD: false)
        let answer = try await dnsQuery(port: unbound.port, name: "notevil.test")
        #expect(answer.rcode == "NXDOMAIN", "\(answer)")
        #expect(answer.authority.first?.hasPrefix("test. ") == true, "\(answer)")
        #expect(try await dnsQuery(port: unbound.port, name: "corp.example").rcode == "NOERROR")
    }

    @Test("redirect zone: name and subdomains get the A record, AAAA/MX get NODATA")
    func redirectPolicy() async throws {
        let files = try TemporaryDirectory()
        let include = try files.file(
            "i.conf", "server:\nlocal-zone: \"evil.test.\" redirect\nlocal-data: \"evil.test. A 192.0.2.10\"\n")
        let unbound = try await startUnbound(includeFile: include)
        for name in ["evil.test", "x7k2.evil.test"] {
            #expect(try await dnsQuery(port: unbound.port, name: name).records("A") == ["192.0.2.10"])
            #expect(try await dnsQuery(port: unbound.port, name: name, type: "AAAA").isNoData)
        }
        #expect(try await dnsQuery(port: unbound.port, name: "notevil.test").records("A") == ["127.0.0.1"])
    }

    @Test("unbound-checkconf: duplicate local-zone is only a warning; bad type or RR is exit 1")
    func checkconfExitCodes() async throws {
        let files = try TemporaryDirectory()
        let dup = try await unboundCheckconf(
            includeFile: try files.file(
                "a", "server:\nlocal-zone: \"e.test.\" always_nxdomain\nlocal-zone: \"e.test.\" always_nxdomain\n"))
        #expect(dup.exitCode == 0 && dup.output.contains("duplicate local-zone"), "\(dup)")
        let badRR = try await unboundCheckconf(includeFile: try files.file("b", "server:\nlocal-data: \"h.test. A 1.2.3\"\n"))
        #expect(badRR.exitCode == 1, "\(badRR)")
        let underscore = try await unboundCheckconf(
            includeFile: try files.file("c", "server:\nlocal-zone: \"ev_il.test.\" always_nxdomain\n"))
        #expect(underscore.exitCode == 0)
    }
}

@Suite("Findings: squid 5.7")
struct SquidFindings {
    @Test("comment-only ACL file: 'Warning: empty ACL', exit 0, and Squid starts blocking nothing")
    func commentOnlyACL() async throws {
        let files = try TemporaryDirectory()
        let acl = try files.file("e.acl", "# hostwatch: 0 blocked names; do not edit\n")
        let parse = try await squidParse(aclFile: acl)
        #expect(parse.exitCode == 0)
        #expect(parse.output.contains("Warning: empty ACL"), "\(parse)")
        let origin = try OriginServer()
        let squid = try await startSquid(aclFile: acl)
        #expect(try squid.get("http://evil.test:\(origin.port)/").status == 200)
        await squid.daemon.stop()
        origin.stop()
    }

    @Test(
        "a name and a covering .domain in one ACL: FATAL unless the subdomain comes after the .domain",
        arguments: [
            ([".evil.test", "a.evil.test"], Int32(0)),
            (["a.evil.test", ".evil.test"], Int32(1)),
            (["evil.test", ".evil.test"], Int32(1)),
            ([".evil.test", "evil.test"], Int32(1)),
            ([".evil.test", ".a.evil.test"], Int32(0)),
            (["a.b.test", "a.b.test"], Int32(0)),
        ])
    func overlappingEntries(lines: [String], expectedExit: Int32) async throws {
        let files = try TemporaryDirectory()
        let result = try await squidParse(aclFile: try files.file("o.acl", lines.joined(separator: "\n") + "\n"))
        #expect(result.exitCode == expectedExit, "\(lines): \(result.output.tail(lines: 6))")
    }

    @Test("SIGHUP with a FATAL ACL kills Squid (squid -k reconfigure pre-parses and refuses)")
    func reloadWithBadACLKillsSquid() async throws {
        let files = try TemporaryDirectory()
        let acl = try files.file("r.acl", ".evil.test\n")
        let squid = try await startSquid(aclFile: acl)
        try Data("a.evil.test\n.evil.test\n".utf8).write(to: acl)
        squid.daemon.send(SIGHUP)
        let deadline = ContinuousClock.now + .seconds(10)
        while squid.daemon.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(squid.daemon.pollExit()?.exitCode == 1)
        #expect(readText(squid.cacheLog).contains("FATAL: Bungled"))
    }
}

@Suite("Findings: BIND 9.18 RPZ")
struct NamedFindings {
    static let zoneHeader = """
        $TTL 300
        @ IN SOA localhost. hostmaster.localhost. 1764500000 3600 600 604800 300
        @ IN NS localhost.

        """

    @Test("RPZ rewrites the server's own authoritative data for RD=1 only (recursive-only yes)")
    func rpzOnlyForRecursiveQueries() async throws {
        let files = try TemporaryDirectory()
        let zone = try files.file("rpz.zone", Self.zoneHeader + "evil.test CNAME .\n*.evil.test CNAME .\n")
        let named = try await startNamed(rpzZoneFile: zone)
        #expect(try await dnsQuery(port: named.port, name: "x7k2.evil.test", recurse: true).rcode == "NXDOMAIN")
        let rd0 = try await dnsQuery(port: named.port, name: "x7k2.evil.test", recurse: false)
        #expect(rd0.rcode == "NOERROR" && rd0.records("A") == ["127.0.0.1"], "\(rd0)")
        await named.stop()

        let everyQuery = try await startNamed(rpzZoneFile: zone, policyOptions: "recursive-only no")
        #expect(try await dnsQuery(port: everyQuery.port, name: "x7k2.evil.test", recurse: false).rcode == "NXDOMAIN")
    }

    @Test("NODATA (CNAME *.) and walled garden (A) policies")
    func otherPolicies() async throws {
        let files = try TemporaryDirectory()
        let zone = try files.file(
            "rpz.zone",
            Self.zoneHeader
                + "evil.test CNAME *.\n*.evil.test CNAME *.\nphish.example A 192.0.2.10\n*.phish.example A 192.0.2.10\n")
        let named = try await startNamed(rpzZoneFile: zone)
        let nodata = try await dnsQuery(port: named.port, name: "x7k2.evil.test")
        #expect(nodata.isNoData, "\(nodata)")
        let walled = try await dnsQuery(port: named.port, name: "www.phish.example")
        #expect(walled.records("A") == ["192.0.2.10"], "\(walled)")
        print("finding named walled-garden answer: \(walled.answers)")
        #expect(try await dnsQuery(port: named.port, name: "www.phish.example", type: "AAAA").isNoData)
    }

    @Test("a zone named cannot load leaves named running with no policy; startNamed reports it")
    func brokenZoneIsAStartFailure() async throws {
        let files = try TemporaryDirectory()
        let zone = try files.file("rpz.zone", Self.zoneHeader + "ev_il.test A 192.0.2.10\n")
        await #expect(throws: HarnessError.self) { try await startNamed(rpzZoneFile: zone) }
        let warnOnly = try await namedCheckzone(zoneName: "rpz.hostwatch", file: zone, checkNames: "warn")
        #expect(warnOnly.exitCode == 0 && warnOnly.output.contains("bad owner name"), "\(warnOnly)")
        let underscoreCNAME = try files.file("cname.zone", Self.zoneHeader + "ev_il.test CNAME .\n")
        #expect(try await namedCheckzone(zoneName: "rpz.hostwatch", file: underscoreCNAME).exitCode == 0)
    }

    @Test("out-of-zone data and a wrong $ORIGIN are silently ignored: exit 0")
    func outOfZone() async throws {
        let files = try TemporaryDirectory()
        let absolute = try files.file("a.zone", Self.zoneHeader + "evil.test. CNAME .\n")
        let result = try await namedCheckzone(zoneName: "rpz.hostwatch", file: absolute)
        #expect(result.exitCode == 0)
        #expect(result.output.contains("ignoring out-of-zone data (evil.test)"), "\(result)")
        let origin = try files.file("b.zone", Self.zoneHeader + "$ORIGIN other.zone.\nevil CNAME .\n")
        let originResult = try await namedCheckzone(zoneName: "rpz.hostwatch", file: origin)
        #expect(originResult.exitCode == 0)
        #expect(originResult.output.contains("ignoring out-of-zone data (evil.other.zone)"), "\(originResult)")
    }
}
