/// IP literal parsing and canonical text, on bytes, without allocation.
@usableFromInline
enum IPAddressText {
    /// Parses a strict dotted quad: exactly four decimal parts 0–255, no leading zeros except a
    /// lone `0`, nothing else (no octal, hex, or shortened forms that `inet_aton` accepts).
    @inlinable
    static func parseIPv4(_ text: UnsafeRawBufferPointer) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            // A leading zero is only allowed as the whole part.
            if digits == 1 && part == 0 { return nil }
            part = part * 10 + UInt32(digit)
            digits += 1
            guard part <= 255 else { return nil }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    @usableFromInline
    static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Parses IPv6 text (RFC 4291 section 2.2): eight groups of 1–4 hex digits, at most one `::`
    /// standing for one or more zero groups, optionally a dotted-quad tail for the last 32 bits.
    /// A zone id (`%eth0`) or any other byte makes it invalid.
    @usableFromInline
    static func parseIPv6(_ text: UnsafeRawBufferPointer) -> SIMD8<UInt16>? {
        let n = text.count
        guard n >= 2, n <= 64 else { return nil }
        var groups = SIMD8<UInt16>()
        var count = 0
        var compressAt = -1
        var i = 0
        if text[0] == UInt8(ascii: ":") {
            guard text[1] == UInt8(ascii: ":") else { return nil }
            compressAt = 0
            i = 2
        }
        while i < n {
            let start = i
            var value: UInt16 = 0
            var digits = 0
            while i < n, let hex = hexValue(text[i]) {
                guard digits < 4 else { return nil }
                value = value << 4 | hex
                digits += 1
                i += 1
            }
            if i < n && text[i] == UInt8(ascii: ".") {
                guard count <= 6,
                    let v4 = parseIPv4(UnsafeRawBufferPointer(rebasing: text[start..<n]))
                else { return nil }
                groups[count] = UInt16(truncatingIfNeeded: v4 >> 16)
                groups[count + 1] = UInt16(truncatingIfNeeded: v4)
                count += 2
                break
            }
            guard digits > 0, count < 8 else { return nil }
            groups[count] = value
            count += 1
            if i == n { break }
            guard text[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard i < n else { return nil }
            if text[i] == UInt8(ascii: ":") {
                guard compressAt < 0 else { return nil }
                compressAt = count
                i += 1
            }
        }
        if compressAt < 0 {
            guard count == 8 else { return nil }
            return groups
        }
        guard count < 8 else { return nil }
        // Move the groups after `::` to the end; the gap stays zero.
        var result = SIMD8<UInt16>()
        for index in 0..<compressAt {
            result[index] = groups[index]
        }
        let tail = count - compressAt
        for index in 0..<tail {
            result[8 - tail + index] = groups[compressAt + index]
        }
        return result
    }

    /// Writes a dotted quad at `offset`; returns the new offset. At most 15 bytes.
    @inlinable
    static func writeIPv4(_ address: UInt32, into output: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var o = offset
        for shift in stride(from: 24, through: 0, by: -8) {
            let part = UInt8(truncatingIfNeeded: address >> UInt32(shift))
            if shift != 24 {
                output[o] = UInt8(ascii: ".")
                o += 1
            }
            if part >= 100 {
                output[o] = UInt8(ascii: "0") + part / 100
                o += 1
            }
            if part >= 10 {
                output[o] = UInt8(ascii: "0") + part / 10 % 10
                o += 1
            }
            output[o] = UInt8(ascii: "0") + part % 10
            o += 1
        }
        return o
    }

    /// Writes the RFC 5952 text of `groups` (lowercase hex, no leading zeros, the first longest
    /// run of two or more zero groups as `::`; IPv4-mapped addresses as `::ffff:a.b.c.d`).
    /// Returns the count written, at most 39 bytes.
    @usableFromInline
    static func writeIPv6(_ groups: SIMD8<UInt16>, into output: UnsafeMutableRawBufferPointer) -> Int {
        var o = 0
        func put(_ byte: UInt8) {
            output[o] = byte
            o += 1
        }
        if groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
            && groups[5] == 0xFFFF
        {
            for byte in "::ffff:".utf8 { put(byte) }
            let v4 = UInt32(groups[6]) << 16 | UInt32(groups[7])
            return writeIPv4(v4, into: output, at: o)
        }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        if bestLength < 2 { bestStart = -1 }
        index = 0
        while index < 8 {
            if index == bestStart {
                put(UInt8(ascii: ":"))
                put(UInt8(ascii: ":"))
                index += bestLength
                continue
            }
            if index > 0 && index != bestStart + bestLength { put(UInt8(ascii: ":")) }
            let group = groups[index]
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let nibble = UInt8(truncatingIfNeeded: group >> UInt16(shift)) & 0xF
                if nibble == 0 && !started && shift != 0 { continue }
                started = true
                put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            }
            index += 1
        }
        return o
    }
}
