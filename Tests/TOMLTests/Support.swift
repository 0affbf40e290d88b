import TOML
import Testing

func at(_ line: Int, _ column: Int) -> TOMLPosition {
    TOMLPosition(line: line, column: column)
}

/// The value of `key = …` in a one-line document, for tests about a single value.
func value(of source: String) throws -> TOMLValue? {
    try TOML.parse("key = \(source)")["key"]?.value
}

/// The node at a path of keys and array indices: `node(doc, "products", 1, "name")`.
func node(_ table: TOMLTable, _ path: any Sendable...) -> TOMLNode? {
    var current = TOMLNode(value: .table(table), position: table.position)
    for step in path {
        switch (current.value, step) {
        case (.table(let table), let key as String):
            guard let next = table[key] else { return nil }
            current = next
        case (.array(let elements), let index as Int) where elements.indices.contains(index):
            current = elements[index]
        default:
            return nil
        }
    }
    return current
}

/// A value as compact text, tables in document order, for asserting whole structures:
/// `{a: {b: 1}, c: ["x", 2.5]}`.
func render(_ value: TOMLValue) -> String {
    switch value {
    case .string(let text): "\"\(text)\""
    case .integer(let integer): "\(integer)"
    case .float(let float): "\(float)"
    case .boolean(let boolean): "\(boolean)"
    case .datetime(let text): text
    case .array(let elements): "[" + elements.map { render($0.value) }.joined(separator: ", ") + "]"
    case .table(let table):
        "{" + table.entries.map { "\($0.key): \(render($0.node.value))" }.joined(separator: ", ") + "}"
    }
}

func render(_ table: TOMLTable) -> String {
    render(.table(table))
}
