import DomainMatch

/// What normalizing one input gave, in a form `#expect` can compare and print.
enum Outcome: Equatable, Sendable, CustomStringConvertible {
    case ok(HostKind, String)
    case rejected(HostRejection)

    static func name(_ text: String) -> Outcome { .ok(.name, text) }
    static func ipv4(_ text: String) -> Outcome { .ok(.ipv4, text) }
    static func ipv6(_ text: String) -> Outcome { .ok(.ipv6, text) }

    var description: String {
        switch self {
        case .ok(let kind, let text): "\(kind) \"\(text)\""
        case .rejected(let reason): "rejected(\(reason.rawValue))"
        }
    }
}

/// Normalizes raw bytes through the byte API, with an output buffer of exactly
/// `outputCapacity` bytes inside a larger guarded allocation: writing past it is caught.
func normalize(bytes: [UInt8]) -> Outcome {
    let capacity = HostNormalizer.outputCapacity
    let guardBytes = 64
    var buffer = [UInt8](repeating: 0xA5, count: capacity + guardBytes)
    let outcome = bytes.withUnsafeBytes { raw in
        buffer.withUnsafeMutableBytes { whole in
            let output = UnsafeMutableRawBufferPointer(rebasing: whole[0..<capacity])
            switch HostNormalizer.normalize(raw, into: output) {
            case .success(let host):
                precondition(host.count <= capacity)
                return Outcome.ok(host.kind, String(decoding: UnsafeRawBufferPointer(rebasing: output[0..<host.count]), as: UTF8.self))
            case .failure(let reason):
                return Outcome.rejected(reason)
            }
        }
    }
    precondition(buffer[capacity...].allSatisfy { $0 == 0xA5 }, "normalize wrote past outputCapacity")
    return outcome
}

/// Normalizes text (its UTF-8 bytes), and checks the `String` convenience overload agrees.
func normalize(_ text: String) -> Outcome {
    let outcome = normalize(bytes: Array(text.utf8))
    let viaString: Outcome =
        switch HostNormalizer.normalize(text) {
        case .success(let host): .ok(host.kind, host.name)
        case .failure(let reason): .rejected(reason)
        }
    precondition(viaString == outcome, "String overload disagrees for \(text)")
    return outcome
}

/// A label of `count` copies of `byte`.
func label(_ count: Int, _ character: Character = "a") -> String {
    String(repeating: character, count: count)
}
