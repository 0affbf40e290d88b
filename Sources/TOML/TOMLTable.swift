/// A table: keys and their values in document order, each with its position.
///
/// Keys are kept in the order they first appear, not sorted or hashed, so that a loader that
/// walks ``entries`` reports unknown or invalid keys in the order the user wrote them.
///
/// ```swift
/// let config = try TOML.parse(text)
/// for entry in config.entries where !known.contains(entry.key) {
///     print("\(path):\(entry.keyPosition.line): unknown key '\(entry.key)'")
/// }
/// ```
public struct TOMLTable: Sendable, Equatable {
    /// One key of a table, where the key is written, and its value.
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// Where the key is written. For `a.b.c = 1` each table's entry is at its own part (the
        /// entry `b` in table `a` is at `b`); for a `[header]` table, at the header's last part.
        public var keyPosition: TOMLPosition
        public var node: TOMLNode

        public init(key: String, keyPosition: TOMLPosition, node: TOMLNode) {
            self.key = key
            self.keyPosition = keyPosition
            self.node = node
        }
    }

    /// The keys in document order; no key appears twice.
    public var entries: [Entry]
    /// The `[` of the header for `[x]` and `[[x]]` tables, the `{` of an inline table, `1:1` for
    /// the root. A table made by dotted keys (`a` in `a.b = 1`) is at that key; a table only
    /// implied by a header (`a` in `[a.b]`, with no `[a]` anywhere) is at that header.
    public var position: TOMLPosition

    public init(entries: [Entry], position: TOMLPosition) {
        self.entries = entries
        self.position = position
    }

    /// The value for `key`, or `nil`.
    ///
    /// - Complexity: O(*n*) in the number of keys; config tables are small.
    public subscript(key: String) -> TOMLNode? {
        entries.first { $0.key == key }?.node
    }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }
}
