/// A place in a TOML document: a 1-based line and a 1-based column.
///
/// The column counts bytes (UTF-8 code units) from the start of the line, which is what the
/// reader sees and what `file:line:column` consumers such as editors and compilers use. A byte
/// order mark at the start of the document is not counted.
public struct TOMLPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, ready to follow a file name.
    public var description: String { "\(line):\(column)" }
}
