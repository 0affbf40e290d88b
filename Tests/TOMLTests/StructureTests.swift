import TOML
import Testing

@Suite("Structure")
struct StructureTests {
    @Test(
        "keys and tables build the right tree",
        arguments: [
            (
                "name = \"Orange\"\nphysical.color = \"orange\"\nphysical.shape = \"round\"\nsite.\"google.com\" = true",
                #"{name: "Orange", physical: {color: "orange", shape: "round"}, site: {google.com: true}}"#
            ),
            ("fruit.name = 1\nfruit. color = 2\nfruit . flavor = 3", "{fruit: {name: 1, color: 2, flavor: 3}}"),
            ("3.14159 = \"pi\"", #"{3: {14159: "pi"}}"#),
            (
                "bare_key = 1\nbare-key = 2\n1234 = 3\n\"127.0.0.1\" = 4\n\"ʎǝʞ\" = 5\n'quoted \"value\"' = 6\n\"\" = 7\n\"a\\tb\" = 8",
                "{bare_key: 1, bare-key: 2, 1234: 3, 127.0.0.1: 4, ʎǝʞ: 5, quoted \"value\": 6, : 7, a\tb: 8}"
            ),
            ("[dog.\"tater.man\"]\ntype.name = \"pug\"", #"{dog: {tater.man: {type: {name: "pug"}}}}"#),
            (
                "[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n[ j . \"ʞ\" . 'l' ]",
                "{a: {b: {c: {}}}, d: {e: {f: {}}}, g: {h: {i: {}}}, j: {ʞ: {l: {}}}}"
            ),
            ("[x.y.z.w]\n[x]\nk = 1", "{x: {y: {z: {w: {}}}, k: 1}}"),
            (
                "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true",
                #"{fruit: {apple: {color: "red", taste: {sweet: true}, texture: {smooth: true}}}}"#
            ),
            ("[a.b.c]\nz = 9\n[a]\nb.d = 1", "{a: {b: {c: {z: 9}, d: 1}}}"),
            ("apple.type = 1\norange.type = 2\napple.skin = 3", "{apple: {type: 1, skin: 3}, orange: {type: 2}}"),
            ("[a]\nx = 1\n[b]\nx = 2\n[a.c]\nx = 3", "{a: {x: 1, c: {x: 3}}, b: {x: 2}}"),
            ("a.b = 1\n[a.c]\nd = 2", "{a: {b: 1, c: {d: 2}}}"),
            (
                """
                [[fruits]]
                name = "apple"
                [fruits.physical]
                color = "red"
                [[fruits.varieties]]
                name = "red delicious"
                [[fruits.varieties]]
                name = "granny smith"
                [[fruits]]
                name = "banana"
                [[fruits.varieties]]
                name = "plantain"
                """,
                #"{fruits: [{name: "apple", physical: {color: "red"}, varieties: [{name: "red delicious"}, "#
                    + #"{name: "granny smith"}]}, {name: "banana", varieties: [{name: "plantain"}]}]}"#
            ),
            ("[[a.b]]\nx = 1\n[a]\ny = 2\n[[a.b]]\nx = 3", "{a: {b: [{x: 1}, {x: 3}], y: 2}}"),
            ("[[a]]\n[[a.b]]\n[a.b.c]\nd = 1", "{a: [{b: [{c: {d: 1}}]}]}"),
            (
                "points = [ { x = 1 }, { x = 2 } ]\n[[more]]\np = { q.r = 1 }",
                "{points: [{x: 1}, {x: 2}], more: [{p: {q: {r: 1}}}]}"
            ),
            (
                "a=1#c\nb=\"#not a comment\"\nc=[1,#c\n2]#x\nd={a=1}#x\ne = \"\"\"#\"\"\"\n[t]#c\n[[u]]#c\n",
                ##"{a: 1, b: "#not a comment", c: [1, 2], d: {a: 1}, e: "#", t: {}, u: [{}]}"##
            ),
            ("a = { b = \"\"\"\nmulti-line values\"\"\", c = [\n1,\n2] }", #"{a: {b: "multi-line values", c: [1, 2]}}"#),
            ("[a]\n[a.b]\n[[a.c]]\n[a.c.d]\n[[a.c]]\n[a.c.d]", "{a: {b: {}, c: [{d: {}}, {d: {}}]}}"),
            ("", "{}"),
            ("# only a comment\n\n   \n\t# another\n", "{}"),
        ]
    )
    func tree(source: String, expected: String) throws {
        #expect(render(try TOML.parse(source)) == expected)
    }

    @Test func dottedKeyTablesArePositionedAtTheirKey() throws {
        let document = try TOML.parse("x = 0\n  site.\"google.com\".visits = 3")
        let site = try #require(document["site"])
        #expect(site.position == at(2, 3))
        #expect(node(document, "site", "google.com")?.position == at(2, 8))
        #expect(node(document, "site", "google.com", "visits") == TOMLNode(value: .integer(3), position: at(2, 30)))
    }

    /// The example from the front page of toml.io, end to end.
    @Test func tomlIOExample() throws {
        let document = try TOML.parse(
            """
            # This is a TOML document

            title = "TOML Example"

            [owner]
            name = "Tom Preston-Werner"
            dob = 1979-05-27T07:32:00-08:00

            [database]
            enabled = true
            ports = [ 8000, 8001, 8002 ]
            data = [ ["delta", "phi"], [3.14] ]
            temp_targets = { cpu = 79.5, case = 72.0 }

            [servers]

            [servers.alpha]
            ip = "10.0.0.1"
            role = "frontend"

            [servers.beta]
            ip = "10.0.0.2"
            role = "backend"
            """
        )
        #expect(
            render(document)
                == #"{title: "TOML Example", owner: {name: "Tom Preston-Werner", dob: 1979-05-27T07:32:00-08:00}, "#
                + #"database: {enabled: true, ports: [8000, 8001, 8002], data: [["delta", "phi"], [3.14]], "#
                + #"temp_targets: {cpu: 79.5, case: 72.0}}, servers: {alpha: {ip: "10.0.0.1", role: "frontend"}, "#
                + #"beta: {ip: "10.0.0.2", role: "backend"}}}"#
        )
        #expect(node(document, "servers", "beta", "role")?.position == at(23, 8))
    }
}
