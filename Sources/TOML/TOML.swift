/// A TOML 1.0 reader that keeps the position of every key and value.
///
/// General-purpose TOML libraries hand back plain dictionaries; hostwatch needs to say where in
/// its config file a problem is (`hostwatch.toml:12: unknown key 'fsnyc' in [[sink]]`), so this
/// reader records the line and column of each key, value and table as it goes.
///
/// ```swift
/// let config = try TOML.parse(#"state_dir = "/var/lib/hostwatch""#)
/// if case .string(let dir)? = config["state_dir"]?.value { … }
/// ```
///
/// The whole of TOML 1.0 is accepted and everything TOML 1.0 forbids is rejected, each with the
/// position of the offending byte, key or value (see ``TOMLError``).
public enum TOML {
    /// Parses a whole document.
    ///
    /// - Returns: the root table, positioned at `1:1`.
    /// - Throws: ``TOMLError`` for the first problem in the document.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses a whole document from its bytes, as read from a file.
    ///
    /// A UTF-8 byte order mark at the start is skipped; CRLF line endings are accepted.
    ///
    /// - Throws: ``TOMLError`` for the first problem in the document, including bytes that are
    ///   not UTF-8.
    public static func parse(bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        var parser = try Parser(bytes: bytes)
        return try parser.parseDocument()
    }
}
