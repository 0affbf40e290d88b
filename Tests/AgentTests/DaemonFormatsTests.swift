import Foundation
import Testing

/// The daemon reads the new formats as configured: sniffed (`auto`), set up from `[[source]]`
/// settings (`json` with `fields`), and defined in `parsers_dir`.
@Suite struct DaemonFormatsTests {
    @Test func autoJSONFieldsAndAParsersDirDefinition() throws {
        let daemon = try DaemonHarness()
        let fixtures = repositoryRoot.appendingPathComponent("Tests/LogParsingTests/Fixtures")
        for name in ["zeek.log", "json.log", "pihole.log"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(name), to: daemon.dir.appendingPathComponent(name))
        }
        try "evil-brand.com\npaypa1-secure.net\n".write(toFile: daemon.watchPath, atomically: true, encoding: .utf8)
        try """
            state_dir = "state"
            parsers_dir = "\(repositoryRoot.appendingPathComponent("parsers").path)"
            [[source]]
            name = "zeek"
            paths = ["zeek.log"]
            format = "auto"
            start_at = "beginning"
            [[source]]
            name = "caddy"
            paths = ["json.log"]
            format = "json"
            time_format = "epoch"
            fields = { time = "ts", client = "request.client_ip", user = "user_id", host = "request.host", url = "request.uri", method = "request.method", status = "status" }
            start_at = "beginning"
            [[source]]
            name = "pihole"
            paths = ["pihole.log"]
            format = "pihole"
            time_zone = "UTC"
            start_at = "beginning"
            [watchlist]
            files = ["watched.txt"]
            [[sink]]
            type = "jsonl"
            path = "state/hits.jsonl"
            [api]
            listen = ""
            [index]
            enabled = false
            """.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.startAndWait()
        // As `hostwatch scan` counts them (the parsers' tests check each line): 11 + 8 + 6.
        daemon.waitForLines(25)
        #expect(daemon.stop().status == 0)
        let hits = try String(contentsOfFile: daemon.hitsPath, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        var byFormat: [String: Int] = [:]
        for hit in hits { byFormat[hit["format"] as? String ?? "?", default: 0] += 1 }
        #expect(byFormat == ["zeek": 11, "json": 8, "pihole": 6])
        let pihole = try #require(hits.first { $0["format"] as? String == "pihole" })
        #expect(pihole["kind"] as? String == "dns")
        #expect(pihole["source"] as? String == daemon.dir.appendingPathComponent("pihole.log").path)
        let caddy = try #require(hits.first { $0["format"] as? String == "json" })
        #expect(caddy["kind"] as? String == "proxy")
        #expect(caddy["method"] != nil && caddy["url"] != nil && caddy["status"] != nil)
    }

    /// After a restart the daemon resumes inside a Zeek log: the `#fields` header it read before
    /// the restart still gives the columns of the lines after it.
    @Test func aRestartInsideAZeekLogStillKnowsItsColumns() throws {
        let daemon = try DaemonHarness(watched: ["evil-brand.com"])
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "format = \"squid\"", with: "format = \"zeek\"")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        func line(_ seconds: Int, _ query: String) -> String {
            "17959239\(seconds).100000\tC\(seconds)\t10.0.0.5\t43428\t10.0.0.1\t53\tudp\t1\t\(query)\tA\tNOERROR\n"
        }
        let header = """
            #separator \\x09
            #set_separator\t,
            #empty_field\t(empty)
            #unset_field\t-
            #path\tdns
            #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tqtype_name\trcode_name
            #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tstring\tstring\tstring

            """
        try (header + line(10, "login.evil-brand.com") + line(11, "example.org"))
            .write(toFile: daemon.logPath, atomically: true, encoding: .utf8)
        try daemon.startAndWait()
        daemon.waitForLines(1)
        #expect(daemon.stop().status == 0)
        let handle = try #require(FileHandle(forWritingAtPath: daemon.logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line(12, "www.evil-brand.com") + line(13, "evil-brand.com")).utf8))
        try handle.close()
        try daemon.startAndWait()
        daemon.waitForLines(3)
        #expect(daemon.stop().status == 0)
        let hosts = try String(contentsOfFile: daemon.hitsPath, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["host"] as? String
        }
        #expect(hosts == ["login.evil-brand.com", "www.evil-brand.com", "evil-brand.com"])
    }
}
