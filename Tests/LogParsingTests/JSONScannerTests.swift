import Foundation
import LogParsing
import SeededRandom
import Testing

/// Scans `json` and returns, per field, the kind and the text of the value (decoded when escaped).
private func scan(_ json: String, _ fields: [[JSONKey]], stopWhenAllFound: Bool = false) -> (
    ok: Bool, values: [(JSONValue.Kind, String)]
) {
    var scanner = JSONScanner(fields: fields)
    var bytes = Array(json.utf8)
    return bytes.withUnsafeMutableBytes { raw in
        let line = UnsafeRawBufferPointer(raw)
        let ok = scanner.scan(line, stopWhenAllFound: stopWhenAllFound)
        let decoded = DecodedLine()
        let text = scanner.decodeEscapedStrings(line, into: decoded) ?? line
        let values = scanner.values.map { ($0.kind, String(decoding: text[$0.range], as: UTF8.self)) }
        return (ok, values)
    }
}

private func keys(_ paths: String...) -> [[JSONKey]] {
    paths.map { [JSONKey.path($0)] }
}

@Suite("JSON scanner")
struct JSONScannerTests {
    @Test func topLevelAndNestedValues() {
        let r = scan(
            #"{"timestamp":"2026-11-29T03:45:04.123456+0000","flow_id":1,"event_type":"dns","src_ip":"10.0.0.5","dns":{"type":"query","id":16000,"rrname":"login.evil-brand.com","rrtype":"A","tx_id":0}}"#,
            keys("event_type", "src_ip", "dns.rrname", "dns.rrtype", "dns.id", "missing", "dns.nothere"))
        #expect(r.ok)
        #expect(r.values.map(\.0) == [.string, .string, .string, .string, .number, .missing, .missing])
        #expect(r.values.map(\.1).prefix(5) == ["dns", "10.0.0.5", "login.evil-brand.com", "A", "16000"])
    }

    @Test func literalsObjectsAndArraysAsValues() {
        let r = scan(
            #"{ "a" : true , "b":false,"c":null,"d":{"x":[1,2,{"y":"}"}]},"e":[ ],"f":-1.5e+3 }"#,
            keys("a", "b", "c", "d", "e", "f"))
        #expect(r.ok)
        #expect(r.values.map(\.0) == [.true, .false, .null, .object, .array, .number])
        #expect(r.values.map(\.1) == ["true", "false", "null", #"{"x":[1,2,{"y":"}"}]}"#, "[ ]", "-1.5e+3"])
    }

    @Test func pathsLookIntoTheFirstArrayElement() {
        let r = scan(
            #"{"dns":{"version":3,"type":"request","queries":[{"rrname":"evil-brand.com","rrtype":"AAAA"},{"rrname":"second.example","rrtype":"A"}]}}"#,
            keys("dns.queries.rrname", "dns.queries.rrtype"))
        #expect(r.ok)
        #expect(r.values.map(\.1) == ["evil-brand.com", "AAAA"])
        let empty = scan(#"{"dns":{"queries":[]}}"#, keys("dns.queries.rrname"))
        #expect(empty.ok)
        #expect(empty.values.map(\.0) == [.missing])
        let scalars = scan(#"{"dns":{"queries":["a",{"rrname":"late.example"}]}}"#, keys("dns.queries.rrname"))
        #expect(scalars.ok)
        #expect(scalars.values.map(\.0) == [.missing])
    }

    @Test func nestedThenLiteralKeys() {
        #expect(JSONKey.nestedThenLiteral("a.b.c").map(\.segments) == [
            ["a", "b", "c"], ["a", "b.c"], ["a.b", "c"], ["a.b.c"],
        ])
        let fields = [JSONKey.nestedThenLiteral("id.orig_h")]
        let literal = scan(#"{"ts":1,"id.orig_h":"10.0.0.5","id":{"resp_h":"1.1.1.1"}}"#, fields)
        #expect(literal.values.map(\.1) == ["10.0.0.5"])
        // Nested wins over the literal key whichever comes first.
        let both = scan(#"{"id.orig_h":"literal","id":{"orig_h":"nested"}}"#, fields)
        #expect(both.values.map(\.1) == ["nested"])
        let both2 = scan(#"{"id":{"orig_h":"nested"},"id.orig_h":"literal"}"#, fields)
        #expect(both2.values.map(\.1) == ["nested"])
    }

    @Test func alternativesPreferTheFirstKey() {
        let fields: [[JSONKey]] = [[.literal("hostname"), .literal("ehost")], [.literal("datetime"), .literal("time")]]
        let r = scan(#"{"time":"t","ehost":"e.example","hostname":"h.example"}"#, fields)
        #expect(r.values.map(\.1) == ["h.example", "t"])
    }

    @Test func escapesAreFlaggedAndDecoded() {
        let r = scan(
            #"{"a":"q\"b\\s\/ \b\f\n\r\t","b":"\u00e9\u20ac\ud83d\ude00","c":"lone \ud800 x","d":"plain","k\u0065y":"no"}"#,
            keys("a", "b", "c", "d", "key"))
        #expect(r.ok)
        #expect(r.values[0].1 == "q\"b\\s/ \u{08}\u{0C}\n\r\t")
        #expect(r.values[1].1 == "é€😀")
        #expect(r.values[2].1 == "lone \u{FFFD} x")
        #expect(r.values[3].1 == "plain")
        // A key written with escapes does not match.
        #expect(r.values[4].0 == .missing)
    }

    @Test(arguments: [
        "", " ", "[]", "\"s\"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{a:1}",
        "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\u12\"}", "{\"a\":[1,2}", "{\"a\":[1,]}",
        "{\"a\":{\"b\":1}", "{\"a\":1}}", "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":[{\"b\":[}]}",
        "{\"dns\":{\"rrname\":\"x\",}}", "{\"a\":\"\\",
    ])
    func malformedIsRejected(json: String) {
        #expect(!scan(json, keys("a", "dns.rrname")).ok)
    }

    @Test func wellFormedEdgeCases() {
        #expect(scan("{}", keys("a")).ok)
        #expect(scan(" \t{ } \r", keys("a")).ok)
        #expect(scan(#"{"a":0,"b":-0.0e-0,"c":"","d":{},"e":[[]]}"#, keys("a")).ok)
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(!scan(#"{"a":"# + deep + "}", keys("a")).ok)
        #expect(!scan(#"{"x":"# + deep + "}", keys("a")).ok)
        let fine = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(scan(#"{"a":"# + fine + "}", keys("a")).ok)
        var nested = "{\"a\":1}"
        for _ in 0..<40 { nested = "{\"a\":" + nested + "}" }
        #expect(!scan(nested, keys("a.a.a")).ok)
    }

    @Test func stopWhenAllFoundEndsEarly() {
        // The garbage after event_type is not looked at.
        let r = scan(#"{"timestamp":"t","event_type":"stats","stats":{ garbage"#, keys("event_type"), stopWhenAllFound: true)
        #expect(r.ok)
        #expect(r.values.map(\.1) == ["stats"])
        let full = scan(#"{"timestamp":"t","event_type":"stats","stats":{ garbage"#, keys("event_type"))
        #expect(!full.ok)
    }

    @Test func epochTimes() {
        func millis(_ s: String) -> Int64? {
            Array(s.utf8).withUnsafeBytes { JSONTime.epochMillis($0, 0..<$0.count) }
        }
        #expect(millis("1795923904.123456") == 1_795_923_904_123)
        #expect(millis("1795923904") == 1_795_923_904_000)
        #expect(millis("1795923904.5") == 1_795_923_904_500)
        #expect(millis("1795923904123") == 1_795_923_904_123)
        #expect(millis("-1") == nil)
        #expect(millis("1.7e9") == nil)
        #expect(millis("1795923904.") == nil)
        #expect(millis("") == nil)
    }
}

@Suite("JSON scanner against Foundation")
struct JSONScannerOracleTests {
    /// Mutated JSON objects (printable ASCII, shallow) are accepted exactly when Foundation's
    /// parser accepts them as a top-level object. Foundation also accepts trailing commas
    /// (`[1,]`), which RFC 8259 does not: such inputs are left out.
    @Test func agreesWithJSONSerialization() {
        let seeds = [
            #"{"a":1,"b":[true,false,null,{"c":"d\"e\\f\/g\u00e9"}],"h":{"i":-1.5e+3,"j":[]},"k":"","l":0}"#,
            #"{"timestamp":"2026-11-29T03:45:04.843012+0000","event_type":"dns","dns":{"type":"query","rrname":"evil-brand.com","queries":[{"rrname":"x"}]}}"#,
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]:,"\ a1-.eE0tfnu/+"#.utf8)
        var rng = SplitMix64(state: 42)
        var scanner = JSONScanner(fields: [[.path("dns.rrname")], [.path("a")], [.path("h.i")]])
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            var bytes = seeds[rng.below(seeds.count)]
            for _ in 0...rng.below(3) {
                let i = rng.below(bytes.count)
                switch rng.below(3) {
                case 0: bytes[i] = alphabet[rng.below(alphabet.count)]
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet[rng.below(alphabet.count)], at: i)
                }
            }
            let compact = bytes.filter { $0 != 0x20 }
            if zip(compact, compact.dropFirst()).contains(where: { $0 == 0x2C && ($1 == 0x7D || $1 == 0x5D) }) {
                continue
            }
            let ours = bytes.withUnsafeBytes { scanner.scan($0) }
            let theirs = (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
            if ours != theirs, disagreements.count < 5 { disagreements.append(String(decoding: bytes, as: UTF8.self)) }
        }
        #expect(disagreements.isEmpty, "\(disagreements)")
    }
}
