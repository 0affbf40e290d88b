/// A TOML value.
///
/// Date-times are validated but kept as written: hostwatch's config has none, and choosing a
/// date-time type (and a time zone policy for local date-times) is the caller's business.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// An offset date-time, local date-time, local date or local time, exactly as written
    /// (`1979-05-27T07:32:00Z`, `1979-05-27 07:32:00`, `1979-05-27`, `07:32:00.5`).
    case datetime(String)
    /// An array; TOML 1.0 allows its elements to be of different types.
    case array([TOMLNode])
    /// A table: a `[header]` table, a table made by dotted keys, an inline table or the root.
    case table(TOMLTable)
}

/// A value and where it starts in the document.
///
/// Every value carries its position so that a config loader can point at the value it rejects
/// (`hostwatch.toml:9:10: expected a string`) long after parsing.
public struct TOMLNode: Sendable, Equatable {
    public var value: TOMLValue
    /// The first byte of the value: its opening quote, `[` or `{`, first digit or sign. For a
    /// table, its ``TOMLTable/position``; for an array of tables, its first `[[header]]`.
    public var position: TOMLPosition

    public init(value: TOMLValue, position: TOMLPosition) {
        self.value = value
        self.position = position
    }

    /// The kind of value, for messages: "string", "integer", "float", "boolean", "datetime",
    /// "array" or "table".
    public var typeName: String {
        switch value {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .datetime: "datetime"
        case .array: "array"
        case .table: "table"
        }
    }
}
