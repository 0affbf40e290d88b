/// The general path: everything the one-pass scan does not handle (userinfo, percent and DNS
/// escapes, brackets, IPv6, non-ASCII). Allocation-free except for non-ASCII names; temporary
/// copies live on the stack (the raw input is at most ``HostNormalizer/maxRawCount`` bytes).
extension HostNormalizer {
    @usableFromInline
    @inline(never)
    static func normalizeGeneral(
        _ raw: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        // 1. Userinfo: drop everything up to the last '@' that is not a DNS escape (`a\@b`).
        var start = 0
        var index = raw.count - 1
        while index >= 0 {
            if raw[index] == UInt8(ascii: "@") && !isBackslashEscaped(raw, at: index) {
                start = index + 1
                break
            }
            index -= 1
        }
        let host = UnsafeRawBufferPointer(rebasing: raw[start...])
        if host.isEmpty { return .failure(.empty) }

        // 2. Percent-encoding, decoded once into a stack buffer.
        guard host.contains(UInt8(ascii: "%")) else {
            return splitHostAndPort(host, decodedColonOutsideBrackets: false, into: output)
        }
        return withUnsafeTemporaryAllocation(byteCount: host.count, alignment: 1) { buffer in
            var decodedColon = false
            guard let count = percentDecode(host, into: buffer, decodedColonOutsideBrackets: &decodedColon) else {
                // `[fe80::1%eth0]`: a raw zone id is a bad IPv6 literal, not a bad escape.
                return .failure(looksLikeIPv6(host) ? .badIPAddress : .badByte)
            }
            return splitHostAndPort(
                UnsafeRawBufferPointer(rebasing: buffer[0..<count]),
                decodedColonOutsideBrackets: decodedColon,
                into: output
            )
        }
    }

    /// Does `host` start with `[` or contain two or more colons (before any decoding)?
    static func looksLikeIPv6(_ host: UnsafeRawBufferPointer) -> Bool {
        if host.first == UInt8(ascii: "[") { return true }
        var colons = 0
        for byte in host where byte == UInt8(ascii: ":") { colons += 1 }
        return colons >= 2
    }

    /// Is the byte at `index` preceded by an odd number of backslashes?
    static func isBackslashEscaped(_ text: UnsafeRawBufferPointer, at index: Int) -> Bool {
        var backslashes = 0
        var i = index - 1
        while i >= 0 && text[i] == UInt8(ascii: "\\") {
            backslashes += 1
            i -= 1
        }
        return backslashes % 2 == 1
    }

    /// Decodes `%XX` escapes. Returns the decoded count, or `nil` for a malformed escape or a
    /// decoded backslash (which must not start a second round of decoding).
    static func percentDecode(
        _ input: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer,
        decodedColonOutsideBrackets: inout Bool
    ) -> Int? {
        var o = 0
        var i = 0
        var inBrackets = false
        while i < input.count {
            var byte = input[i]
            var decoded = false
            if byte == UInt8(ascii: "%") {
                guard i + 2 < input.count,
                    let high = IPAddressText.hexValue(input[i + 1]),
                    let low = IPAddressText.hexValue(input[i + 2])
                else { return nil }
                byte = UInt8(high << 4 | low)
                guard byte != UInt8(ascii: "\\") else { return nil }
                decoded = true
                i += 3
            } else {
                i += 1
            }
            switch byte {
            case UInt8(ascii: "["): inBrackets = true
            case UInt8(ascii: "]"): inBrackets = false
            case UInt8(ascii: ":") where decoded && !inBrackets: decodedColonOutsideBrackets = true
            default: break
            }
            buffer[o] = byte
            o += 1
        }
        return o
    }

    /// 3. Brackets, port, and bare IPv6.
    static func splitHostAndPort(
        _ host: UnsafeRawBufferPointer,
        decodedColonOutsideBrackets: Bool,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        if host.isEmpty { return .failure(.empty) }
        let colon = UInt8(ascii: ":")
        if host[0] == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return .failure(.badIPAddress) }
            if close + 1 < host.count {
                guard host[close + 1] == colon else { return .failure(.badIPAddress) }
                guard isPort(UnsafeRawBufferPointer(rebasing: host[(close + 2)...])) else { return .failure(.badPort) }
                if decodedColonOutsideBrackets { return .failure(.badByte) }
            }
            return ipv6(UnsafeRawBufferPointer(rebasing: host[1..<close]), into: output)
        }
        var colons = 0
        var firstColon = -1
        for (i, byte) in host.enumerated() where byte == colon {
            if colons == 0 { firstColon = i }
            colons += 1
        }
        switch colons {
        case 0:
            return name(host, into: output)
        case 1:
            guard isPort(UnsafeRawBufferPointer(rebasing: host[(firstColon + 1)...])) else { return .failure(.badPort) }
            if decodedColonOutsideBrackets { return .failure(.badByte) }
            return name(UnsafeRawBufferPointer(rebasing: host[..<firstColon]), into: output)
        default:
            return ipv6(host, into: output)
        }
    }

    static func ipv6(
        _ text: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        guard let groups = IPAddressText.parseIPv6(text) else { return .failure(.badIPAddress) }
        return .success(NormalizedHost(kind: .ipv6, count: IPAddressText.writeIPv6(groups, into: output)))
    }

    /// 4. DNS presentation escapes, then the name rules.
    static func name(
        _ text: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        if text.isEmpty { return .failure(.empty) }
        guard text.contains(UInt8(ascii: "\\")) else { return unescapedName(text, into: output) }
        return withUnsafeTemporaryAllocation(byteCount: text.count, alignment: 1) { buffer in
            guard let count = dnsUnescape(text, into: buffer) else { return .failure(.badByte) }
            return unescapedName(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), into: output)
        }
    }

    /// Decodes `\DDD` (three decimal digits, at most 255) and `\X`. Returns the decoded count, or
    /// `nil` for a malformed escape or a decoded byte that is not allowed in a name (including
    /// `\.`, a dot inside a label, and every byte ≥ 0x80).
    static func dnsUnescape(_ input: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var o = 0
        var i = 0
        let n = input.count
        while i < n {
            let byte = input[i]
            guard byte == UInt8(ascii: "\\") else {
                buffer[o] = byte
                o += 1
                i += 1
                continue
            }
            guard i + 1 < n else { return nil }
            var value: Int
            let first = input[i + 1] &- UInt8(ascii: "0")
            if first < 10 {
                guard i + 3 < n else { return nil }
                let second = input[i + 2] &- UInt8(ascii: "0")
                let third = input[i + 3] &- UInt8(ascii: "0")
                guard second < 10, third < 10 else { return nil }
                value = Int(first) * 100 + Int(second) * 10 + Int(third)
                guard value <= 255 else { return nil }
                i += 4
            } else {
                value = Int(input[i + 1])
                i += 2
            }
            guard value != Int(UInt8(ascii: ".")), foldTable[value] != 0 else { return nil }
            buffer[o] = UInt8(value)
            o += 1
        }
        return o
    }

    static func unescapedName(
        _ text: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        switch scanName(text, into: output, portAllowed: false) {
        case .host(let host):
            return .success(host)
        case .rejected(let reason):
            return .failure(reason)
        case .unusualByte(let index):
            guard text[index] >= 0x80 else { return .failure(.badByte) }
            return unicodeName(text, into: output)
        }
    }
}
