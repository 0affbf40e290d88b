/// One part of a dotted key, and where it is written.
struct KeySegment {
    var name: String
    var position: TOMLPosition
}

extension [KeySegment] {
    /// The key as it would be written: `a.b`, `hosts."example.com"`.
    func display(through last: Int? = nil) -> String {
        self[...(last ?? count - 1)].map { segment in
            let name = segment.name
            if !name.isEmpty && name.utf8.allSatisfy(Scanner.isBareKeyByte) { return name }
            var quoted = "\""
            for character in name.unicodeScalars {
                if character == "\"" || character == "\\" { quoted += "\\" }
                quoted.unicodeScalars.append(character)
            }
            return quoted + "\""
        }.joined(separator: ".")
    }
}

/// A table while the document is being read: shared by reference so that a `[header]` can
/// reopen a table deep in the tree, and aware of how it came to exist, which is what TOML's
/// rules about defining tables depend on.
///
/// Inline tables are not builders: they are complete when their `}` is read and are stored as
/// values, which is what makes them impossible to extend later.
final class TableBuilder {
    /// How a table came to exist, which decides what may add to it later.
    enum Origin {
        /// Named on the way to another table (`a` in `[a.b]`): a later `[a]` may define it.
        case implicit
        /// Defined by a `[header]` (or `[[header]]`): no second `[header]`, and no dotted keys
        /// from the table above.
        case header
        /// Made by a dotted key (`a` in `a.b = 1`): no `[header]` for it.
        case dotted
    }

    enum Content {
        case value(TOMLNode)
        case table(TableBuilder)
        case arrayOfTables(ArrayOfTables)
    }

    /// An array of tables, one element per `[[header]]`.
    final class ArrayOfTables {
        /// The first `[[header]]`.
        let position: TOMLPosition
        var elements: [TableBuilder]

        init(position: TOMLPosition, elements: [TableBuilder]) {
            self.position = position
            self.elements = elements
        }
    }

    struct Slot {
        let key: String
        var keyPosition: TOMLPosition
        var content: Content
    }

    var origin: Origin
    var position: TOMLPosition
    private var slots: [Slot] = []
    private var slotIndex: [String: Int] = [:]

    init(origin: Origin, position: TOMLPosition) {
        self.origin = origin
        self.position = position
    }

    /// The finished table, recursively.
    func build() -> TOMLTable {
        let entries = slots.map { slot in
            let node: TOMLNode
            switch slot.content {
            case .value(let value):
                node = value
            case .table(let table):
                node = TOMLNode(value: .table(table.build()), position: table.position)
            case .arrayOfTables(let array):
                let elements = array.elements.map { TOMLNode(value: .table($0.build()), position: $0.position) }
                node = TOMLNode(value: .array(elements), position: array.position)
            }
            return TOMLTable.Entry(key: slot.key, keyPosition: slot.keyPosition, node: node)
        }
        return TOMLTable(entries: entries, position: position)
    }

    private func slot(_ key: String) -> Slot? {
        slotIndex[key].map { slots[$0] }
    }

    private func add(_ segment: KeySegment, _ content: Content) {
        slotIndex[segment.name] = slots.count
        slots.append(Slot(key: segment.name, keyPosition: segment.position, content: content))
    }

    /// Finds or makes the table that a `[path]` or `[[path]]` header opens, starting from the
    /// root (`self`), and returns it: the table the following key/value pairs go into.
    ///
    /// On the way, missing tables are made (implicitly) and an array of tables leads into its
    /// last element.
    func openTable(_ path: [KeySegment], isArray: Bool, header: TOMLPosition) throws(TOMLError) -> TableBuilder {
        var table = self
        for i in path.indices.dropLast() {
            guard let slot = table.slot(path[i].name) else {
                let child = TableBuilder(origin: .implicit, position: header)
                table.add(path[i], .table(child))
                table = child
                continue
            }
            switch slot.content {
            case .table(let child): table = child
            case .arrayOfTables(let array): table = array.elements[array.elements.count - 1]
            case .value(let node): throw Self.notATable(path, through: i, node, definedAt: slot.keyPosition)
            }
        }
        let segment = path[path.count - 1]
        let name = path.display()
        guard let slot = table.slot(segment.name) else {
            let child = TableBuilder(origin: .header, position: header)
            table.add(
                segment,
                isArray ? .arrayOfTables(ArrayOfTables(position: header, elements: [child])) : .table(child)
            )
            return child
        }
        let fail = { (message: String) in TOMLError(position: segment.position, message: message) }
        switch (slot.content, isArray) {
        case (.table(let child), false) where child.origin == .implicit:
            child.origin = .header
            child.position = header
            table.slots[table.slotIndex[segment.name]!].keyPosition = segment.position
            return child
        case (.table(let child), false):
            let how = child.origin == .dotted ? " by dotted keys" : ""
            throw fail("table [\(name)] is already defined\(how) at \(slot.keyPosition)")
        case (.arrayOfTables, false):
            throw fail("table [\(name)] is already defined as an array of tables at \(slot.keyPosition)")
        case (.arrayOfTables(let array), true):
            let child = TableBuilder(origin: .header, position: header)
            array.elements.append(child)
            return child
        case (.table, true):
            throw fail("cannot define [[\(name)]]: '\(name)' is already a table defined at \(slot.keyPosition)")
        case (.value(let node), _):
            if isArray, case .array = node.value {
                throw fail("cannot append to static array '\(name)' (defined at \(slot.keyPosition)) with [[\(name)]]")
            }
            throw Self.notATable(path, through: path.count - 1, node, definedAt: slot.keyPosition)
        }
    }

    /// Stores a key/value pair with a (possibly dotted) key in this table, making the tables the
    /// key's leading parts name.
    ///
    /// Dotted keys may go through tables that earlier dotted keys made, and through tables a
    /// header only implied (which closes those to a `[header]` of their own); not into a table
    /// defined by a header, an array of tables or an inline table.
    func assign(_ node: TOMLNode, to path: [KeySegment]) throws(TOMLError) {
        var table = self
        for i in path.indices.dropLast() {
            let segment = path[i]
            guard let slot = table.slot(segment.name) else {
                let child = TableBuilder(origin: .dotted, position: segment.position)
                table.add(segment, .table(child))
                table = child
                continue
            }
            let name = path.display(through: i)
            let fail = { (message: String) in TOMLError(position: segment.position, message: message) }
            switch slot.content {
            case .table(let child) where child.origin == .header:
                throw fail("cannot add keys to table '\(name)' with dotted keys: it has a header at \(child.position)")
            case .table(let child):
                child.origin = .dotted
                table = child
            case .arrayOfTables:
                throw fail(
                    "cannot add keys to array of tables '\(name)' with dotted keys (defined at \(slot.keyPosition))"
                )
            case .value(let node):
                throw Self.notATable(path, through: i, node, definedAt: slot.keyPosition)
            }
        }
        let segment = path[path.count - 1]
        if let slot = table.slot(segment.name) {
            throw TOMLError(
                position: segment.position,
                message: "duplicate key '\(path.display())' (first defined at \(slot.keyPosition))"
            )
        }
        table.add(segment, .value(node))
    }

    /// The error for a key used as a table that is already some other value.
    private static func notATable(
        _ path: [KeySegment],
        through i: Int,
        _ node: TOMLNode,
        definedAt position: TOMLPosition
    ) -> TOMLError {
        let name = path.display(through: i)
        if case .table = node.value {
            return TOMLError(
                position: path[i].position,
                message: "cannot extend inline table '\(name)' (defined at \(position)); it is complete as written"
            )
        }
        let article = node.typeName == "integer" || node.typeName == "array" ? "an" : "a"
        return TOMLError(
            position: path[i].position,
            message: "'\(name)' is already \(article) \(node.typeName) (defined at \(position)), not a table"
        )
    }
}
