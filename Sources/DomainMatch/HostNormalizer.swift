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
public enum HostNormalizer {
    /// The scratch buffer a caller must provide: a canonical name never exceeds 253 bytes and an
    /// IPv6 text 45, so 256 always suffices.
    public static let outputCapacity = 256

    /// Normalizes `raw` into `output` (at least ``outputCapacity`` bytes). Allocation-free for
    /// ASCII input; the non-ASCII (IDN) path may allocate.
    public static func normalize(
        _ raw: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        // Placeholder: ASCII lowercase + trailing dot + validation. Replaced by the full version.
        var n = raw.count
        if n > 0 && raw[n - 1] == UInt8(ascii: ".") { n -= 1 }
        if n == 0 { return .failure(.empty) }
        if n > 253 { return .failure(.nameTooLong) }
        var labelLength = 0
        for i in 0..<n {
            var b = raw[i]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            if b == UInt8(ascii: ".") {
                if labelLength == 0 { return .failure(.emptyLabel) }
                labelLength = 0
            } else {
                let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
                if !ok { return .failure(.badByte) }
                labelLength += 1
                if labelLength > 63 { return .failure(.labelTooLong) }
            }
            output[i] = b
        }
        if labelLength == 0 { return .failure(.emptyLabel) }
        return .success(NormalizedHost(kind: .name, count: n))
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
