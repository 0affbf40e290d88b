/// The bearer token of `[api] token_file`, as read when the configuration was loaded.
///
/// Kept out of every description (a configuration may be logged) and compared in constant time,
/// so neither a log nor the response time gives it away.
public struct APIToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The file it was read from, for messages.
    public let path: String
    let bytes: [UInt8]

    /// A token shorter than this is guessable over the network.
    public static let minimumLength = 16

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// The token from a token file's content: one line of printable ASCII without spaces (a
    /// trailing newline and surrounding blanks are ignored), at least ``minimumLength`` bytes.
    ///
    /// - Returns: the token, or why the content is not one.
    static func parse(_ content: [UInt8], path: String) -> Result<APIToken, TokenFileProblem> {
        var slice = content[...]
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        while let first = slice.first, isBlank(first) { slice = slice.dropFirst() }
        while let last = slice.last, isBlank(last) { slice = slice.dropLast() }
        if slice.isEmpty { return .failure(.empty) }
        guard slice.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .failure(.notOneWord) }
        guard slice.count >= minimumLength else { return .failure(.tooShort) }
        return .success(APIToken(path: path, bytes: Array(slice)))
    }

    enum TokenFileProblem: Error {
        case empty, notOneWord, tooShort

        var explanation: String {
            switch self {
            case .empty: "is empty"
            case .notOneWord: "must hold one token of printable ASCII without spaces (like the output of openssl rand -hex 32)"
            case .tooShort: "holds a token shorter than \(APIToken.minimumLength) characters (try openssl rand -hex 32)"
            }
        }
    }

    /// Whether `presented` is the token. Every byte of the token is compared whatever differs,
    /// so the time taken says nothing about how much of a guess was right.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let other = Array(presented.utf8)
        var difference: UInt8 = other.count == bytes.count ? 0 : 1
        for i in 0..<bytes.count {
            difference |= bytes[i] ^ (i < other.count ? other[i] : 0)
        }
        return difference == 0
    }

    public var description: String { "APIToken(from \(path), redacted)" }
    public var debugDescription: String { description }
    /// No children: a dump of a configuration shows no token bytes either.
    public var customMirror: Mirror { Mirror(self, children: []) }
}
