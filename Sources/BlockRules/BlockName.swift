/// The last check before a name is written into any block file.
///
/// Every name already passed ``DomainMatch/HostNormalizer`` when its list was loaded; this
/// re-checks the bytes that are about to be written, on its own, so that a bug anywhere above
/// can never let a byte that means something to a daemon's config language (a newline, `"`,
/// `;`, `$`, `/`, `#`, `*`, a space…) into a file.
public enum BlockName {
    /// Why `name` must not be written, or `nil` when it is a plain host name: 2–127 labels of
    /// `[a-z0-9_-]`, each 1–63 bytes and not starting or ending with `-`, 253 bytes at most.
    public static func problem(_ name: UnsafeRawBufferPointer) -> String? {
        if name.isEmpty { return "empty name" }
        if name.count > 253 { return "longer than 253 bytes" }
        var labelLength = 0
        var labels = 1
        var previous: UInt8 = 0x2E
        for byte in name {
            switch byte {
            case 0x2E:
                if labelLength == 0 { return "empty label" }
                if previous == 0x2D { return "label ends with '-'" }
                labels += 1
                labelLength = 0
            case 0x61...0x7A, 0x30...0x39, 0x5F:
                labelLength += 1
            case 0x2D:
                if labelLength == 0 { return "label starts with '-'" }
                labelLength += 1
            default:
                return "byte 0x\(String(byte, radix: 16)) is not allowed in a name"
            }
            if labelLength > 63 { return "label longer than 63 bytes" }
            previous = byte
        }
        if labelLength == 0 { return "empty label" }
        if previous == 0x2D { return "label ends with '-'" }
        if labels < 2 { return "a single label (a whole top-level domain)" }
        return nil
    }

    public static func problem(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { problem(UnsafeRawBufferPointer($0)) }
    }
}
