/// Why a document is not valid TOML, and where.
///
/// Reading stops at the first problem: after a syntax error the rest of the document cannot be
/// read reliably, and a config file is fixed one message at a time anyway.
///
/// ```swift
/// do {
///     let config = try TOML.parse(text)
/// } catch {
///     print("\(path):\(error)")   // hostwatch.toml:7:1: duplicate key 'name' (first defined at 3:1)
/// }
/// ```
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is: the offending byte, key or value, or the opening delimiter of
    /// something left unterminated.
    public var position: TOMLPosition
    /// What is wrong, in words for the person editing the file; no position in it.
    public var message: String

    public init(position: TOMLPosition, message: String) {
        self.position = position
        self.message = message
    }

    /// `line:column: message`.
    public var description: String { "\(position): \(message)" }
}
