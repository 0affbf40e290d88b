import TOML
import Testing

@Suite("Positions")
struct PositionTests {
    /// Tables of every kind, an array of tables, a multi-line array with comments and a tab, an
    /// inline table and dotted keys, with every position asserted.
    static let document = """
        # comment
        title = "TOML"
        [owner]
        name = "Tom"
          dob = 1979-05-27T07:32:00-08:00

        [[products]]
        name = "Hammer"
        sku = 738594937

        [[products]]  # an empty element

        [[products]]
        name = "Nail"
        ports = [
          8000,
            8001, # x
          [ 8002,
        \t"tab" ]
        ]
        point = { x = 1, y = 2 }
        a.b.c = true
        """

    @Test func topLevelKeysAndValues() throws {
        let document = try TOML.parse(Self.document)
        #expect(document.position == at(1, 1))
        #expect(document.keys == ["title", "owner", "products"])
        #expect(document.entries.map(\.keyPosition) == [at(2, 1), at(3, 2), at(7, 3)])
        #expect(document["title"]?.position == at(2, 9))
    }

    @Test func headerTable() throws {
        let document = try TOML.parse(Self.document)
        let owner = try #require(document["owner"])
        #expect(owner.position == at(3, 1))
        guard case .table(let table) = owner.value else { throw Unexpected() }
        #expect(table.position == at(3, 1))
        #expect(table.entries.map(\.keyPosition) == [at(4, 1), at(5, 3)])
        #expect(table["name"]?.position == at(4, 8))
        #expect(table["dob"] == TOMLNode(value: .datetime("1979-05-27T07:32:00-08:00"), position: at(5, 9)))
    }

    @Test func arrayOfTables() throws {
        let document = try TOML.parse(Self.document)
        let products = try #require(document["products"])
        #expect(products.position == at(7, 1))
        guard case .array(let elements) = products.value else { throw Unexpected() }
        #expect(elements.map(\.position) == [at(7, 1), at(11, 1), at(13, 1)])
        #expect(elements.map(\.typeName) == ["table", "table", "table"])
        #expect(node(document, "products", 0, "name")?.position == at(8, 8))
        #expect(node(document, "products", 0, "sku") == TOMLNode(value: .integer(738_594_937), position: at(9, 7)))
        #expect(render(elements[1].value) == "{}")
        guard case .table(let nail) = elements[2].value else { throw Unexpected() }
        #expect(nail.position == at(13, 1))
        #expect(nail.keys == ["name", "ports", "point", "a"])
        #expect(nail.entries.map(\.keyPosition) == [at(14, 1), at(15, 1), at(21, 1), at(22, 1)])
    }

    @Test func multilineArray() throws {
        let document = try TOML.parse(Self.document)
        let ports = try #require(node(document, "products", 2, "ports"))
        #expect(ports.position == at(15, 9))
        guard case .array(let elements) = ports.value else { throw Unexpected() }
        #expect(elements.map(\.position) == [at(16, 3), at(17, 5), at(18, 3)])
        #expect(node(document, "products", 2, "ports", 2, 0)?.position == at(18, 5))
        #expect(node(document, "products", 2, "ports", 2, 1) == TOMLNode(value: .string("tab"), position: at(19, 2)))
        #expect(render(ports.value) == #"[8000, 8001, [8002, "tab"]]"#)
    }

    @Test func inlineTable() throws {
        let document = try TOML.parse(Self.document)
        let point = try #require(node(document, "products", 2, "point"))
        #expect(point.position == at(21, 9))
        guard case .table(let table) = point.value else { throw Unexpected() }
        #expect(table.position == at(21, 9))
        #expect(
            table.entries == [
                .init(key: "x", keyPosition: at(21, 11), node: TOMLNode(value: .integer(1), position: at(21, 15))),
                .init(key: "y", keyPosition: at(21, 18), node: TOMLNode(value: .integer(2), position: at(21, 22))),
            ]
        )
    }

    @Test func dottedKeys() throws {
        let document = try TOML.parse(Self.document)
        let a = try #require(node(document, "products", 2, "a"))
        #expect(a.position == at(22, 1))
        guard case .table(let tableA) = a.value, case .table(let tableB)? = tableA["b"]?.value else {
            throw Unexpected()
        }
        #expect(tableA.entries.map(\.keyPosition) == [at(22, 3)])
        #expect(tableA["b"]?.position == at(22, 3))
        #expect(
            tableB.entries == [
                .init(key: "c", keyPosition: at(22, 5), node: TOMLNode(value: .boolean(true), position: at(22, 9)))
            ]
        )
    }

    @Test func implicitTableTakesThePositionOfItsOwnHeader() throws {
        let document = try TOML.parse("[ dog . \"tater.man\" ]\ntype = 1\n\n[dog]\nname = 2")
        #expect(document.entries.map(\.keyPosition) == [at(4, 2)])
        #expect(document["dog"]?.position == at(4, 1))
        guard case .table(let dog)? = document["dog"]?.value else { throw Unexpected() }
        #expect(dog.entries.map(\.keyPosition) == [at(1, 9), at(5, 1)])
        #expect(dog["tater.man"]?.position == at(1, 1))
    }

    @Test func columnsCountBytes() throws {
        let document = try TOML.parse("\"é\" = \"ü\"\n\"日本\" = '語'\n\tk\t=\t1")
        #expect(document.entries.map(\.keyPosition) == [at(1, 1), at(2, 1), at(3, 2)])
        #expect(document.entries.map(\.node.position) == [at(1, 8), at(2, 12), at(3, 6)])
        #expect(document["日本"]?.value == .string("語"))
    }

    @Test func crlfLineEndings() throws {
        let document = try TOML.parse("a = 1\r\nb = \"\"\"\r\nx\r\n\"\"\"\r\n[t]\r\nc = 3\r\n")
        #expect(document.entries.map(\.keyPosition) == [at(1, 1), at(2, 1), at(5, 2)])
        #expect(document["b"]?.value == .string("x\n"))
        #expect(node(document, "t", "c")?.position == at(6, 5))
    }

    @Test func byteOrderMarkIsNotAColumn() throws {
        let document = try TOML.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("a = 1\nb = 2".utf8))
        #expect(document.entries.map(\.keyPosition) == [at(1, 1), at(2, 1)])
        #expect(document["a"]?.position == at(1, 5))
        #expect(throws: TOMLError(position: at(1, 3), message: "expected '=' after the key 'a', found end of file")) {
            try TOML.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("a ".utf8))
        }
    }

    @Test func positionsAfterMultilineStrings() throws {
        let document = try TOML.parse("s = '''\none\ntwo'''\nn = 1 # after")
        #expect(document["n"] == TOMLNode(value: .integer(1), position: at(4, 5)))
    }
}

struct Unexpected: Error {}
