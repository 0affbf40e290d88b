/// What a normalized host is: a DNS name, or an IP literal in canonical text form.
public enum HostKind: UInt8, Sendable {
    case name
    case ipv4
    case ipv6
}

/// Why a host string was rejected. The raw value is the stable key used in counters and messages.
public enum HostRejection: String, Error, Sendable, CaseIterable {
    case empty = "empty"
    case emptyLabel = "empty_label"
    case labelTooLong = "label_too_long"
    case nameTooLong = "name_too_long"
    case badByte = "bad_byte"
    case invalidUTF8 = "invalid_utf8"
    /// A non-ASCII label that Unicode lowercasing turns into pure ASCII (U+212A KELVIN SIGN → `k`):
    /// folding it would let a lookalike match, or dodge, an ASCII entry.
    case confusableFold = "confusable_fold"
    case invalidPunycode = "invalid_punycode"
    case badIPAddress = "bad_ip"
    case badPort = "bad_port"

    /// A sentence for error messages.
    public var explanation: String {
        switch self {
        case .empty: "the name is empty"
        case .emptyLabel: "the name has an empty label (leading dot, '..' or more than one trailing dot)"
        case .labelTooLong: "a label is longer than 63 bytes"
        case .nameTooLong: "the name is longer than 253 bytes"
        case .badByte: "the name contains a byte outside [a-z0-9-_.] after normalization"
        case .invalidUTF8: "the name is not valid UTF-8"
        case .confusableFold: "a non-ASCII label folds to pure ASCII when lowercased (a lookalike)"
        case .invalidPunycode: "an xn-- label is not valid punycode"
        case .badIPAddress: "the name looks like an IP address but is not a valid one"
        case .badPort: "the port after ':' is not a number"
        }
    }
}

/// The result of a successful normalization: what was written and how many bytes.
public struct NormalizedHost: Sendable, Equatable {
    public var kind: HostKind
    public var count: Int

    @inlinable
    public init(kind: HostKind, count: Int) {
        self.kind = kind
        self.count = count
    }
}

/// Turns a host as it appears in a log or a watchlist into its canonical byte form.
///
/// The canonical form is what the matcher compares and what hits report: ASCII lowercase,
/// no trailing dot, no port, no brackets, no userinfo, IDN labels as punycode A-labels,
/// IP literals in canonical text (dotted quad, RFC 5952 for IPv6).
///
/// What is undone, in this order:
/// 1. userinfo: everything up to the last `@` (one escaped as `\@` does not count);
/// 2. percent-encoding (`%5B::1%5D`, `EVIL%2ECOM`); a bad escape is ``HostRejection/badByte``.
///    Decoding happens once: a decoded `%` or `\` is never decoded again, a decoded `@` or `/`
///    stays and is rejected as a bad byte, a decoded `:` only counts inside an IPv6 literal;
/// 3. brackets and port: `[v6]`, `[v6]:port`, `host:port`; a bare string with two or more
///    colons is an IPv6 literal;
/// 4. DNS presentation escapes `\DDD` and `\X` (BIND, Unbound); the decoded byte must itself be
///    allowed, and `\.` (a dot inside a label) is rejected;
/// 5. case: ASCII folding only on ASCII labels; labels with non-ASCII are lowercased with the
///    Unicode lowercase mapping and converted to Punycode, after rejecting labels that
///    lowercase to pure ASCII (``HostRejection/confusableFold``). U+3002, U+FF0E and U+FF61 also
///    separate labels (UTS #46). No Unicode normalization (NFC) is applied, because the stdlib
///    has none without Foundation: a decomposed `u` + U+0308 and a precomposed `ü` give
///    different A-labels;
/// 6. one trailing dot.
///
/// Then every byte must be in `[a-z0-9-_.]`, labels are 1–63 bytes, the name at most 253, an
/// `xn--` label must be valid Punycode that round-trips, and a name whose last label is all digits
/// must be a dotted quad.
///
/// The common case (only letters, digits, `-`, `_`, `.`, optionally `:port`) is one pass over the
/// bytes with a lookup table that writes the output as it goes; anything else takes a slower,
/// still allocation-free path (stack buffers), except names with non-ASCII bytes, which allocate.
public enum HostNormalizer {
    /// The scratch buffer a caller must provide: a canonical name never exceeds 253 bytes and an
    /// IPv6 text 45, so 256 always suffices.
    public static let outputCapacity = 256

    /// Raw input longer than this is rejected as ``HostRejection/nameTooLong`` without looking
    /// at it. A valid name is at most 253 bytes (759 fully percent-encoded); what is longer is
    /// garbage or an attack on the parser, and bounding it keeps the stack buffers small.
    @usableFromInline static let maxRawCount = 1024

    /// Normalizes `raw` into `output` (at least ``outputCapacity`` bytes). Allocation-free for
    /// ASCII input; the non-ASCII (IDN) path may allocate.
    @inlinable
    public static func normalize(
        _ raw: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        precondition(output.count >= outputCapacity, "HostNormalizer output buffer smaller than outputCapacity")
        if raw.isEmpty { return .failure(.empty) }
        if raw.count > maxRawCount { return .failure(.nameTooLong) }
        // Fast path: only table bytes and an optional numeric port. Anything unusual, including
        // a rejection (userinfo might follow), is redone by the general path from the start.
        if raw.count <= outputCapacity, let host = scanCommonName(raw, into: output) {
            return .success(host)
        }
        return normalizeGeneral(raw, into: output)
    }

    /// Convenience for text input (watchlists, tests): the canonical form as a `String`.
    public static func normalize(_ text: some StringProtocol) -> Result<(kind: HostKind, name: String), HostRejection> {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBytes { raw in
            withUnsafeTemporaryAllocation(byteCount: outputCapacity, alignment: 1) { out in
                switch normalize(UnsafeRawBufferPointer(raw), into: out) {
                case .success(let host):
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: out[0..<host.count]), as: UTF8.self)
                    return .success((host.kind, name))
                case .failure(let reason):
                    return .failure(reason)
                }
            }
        }
    }
}
