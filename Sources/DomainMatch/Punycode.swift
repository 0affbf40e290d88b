/// Punycode (RFC 3492): the Bootstring encoding with the parameters IDNA uses.
///
/// Works on code points (`UInt32`) and ASCII bytes in caller-provided buffers so the hot path can
/// validate an `xn--` label with stack memory only. The `xn--` prefix is not part of the encoding:
/// callers add and strip it.
///
/// Basic code points (< 0x80) are copied as they are (no case mapping); the letters of the
/// variable-length integers are written lowercase and read in either case, so mixed-case
/// annotations (RFC 3492 appendix A) are accepted on decoding and never produced.
@usableFromInline
enum Punycode {
    @usableFromInline static let base = 36
    @usableFromInline static let tMin = 1
    @usableFromInline static let tMax = 26
    @usableFromInline static let skew = 38
    @usableFromInline static let damp = 700
    @usableFromInline static let initialBias = 72
    @usableFromInline static let initialN = 128
    @usableFromInline static let delimiter = UInt8(ascii: "-")

    /// Longest input either direction accepts; far above a 63-byte label, low enough that the
    /// arithmetic below can never overflow a 64-bit `Int`.
    @usableFromInline static let maxInputCount = 4096

    /// RFC 3492 section 6.1.
    @usableFromInline
    static func adapt(delta: Int, numPoints: Int, firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// The digit value of an ASCII byte: `a-z`/`A-Z` are 0–25, `0-9` are 26–35.
    @usableFromInline
    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
        default: nil
        }
    }

    /// The lowercase ASCII byte for a digit value 0–35.
    @usableFromInline
    static func digitByte(_ digit: Int) -> UInt8 {
        digit < 26 ? UInt8(ascii: "a") + UInt8(digit) : UInt8(ascii: "0") + UInt8(digit - 26)
    }

    @usableFromInline
    static func threshold(k: Int, bias: Int) -> Int {
        k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
    }

    /// Encodes code points (RFC 3492 section 6.3).
    ///
    /// - Returns: the number of bytes written to `output`, or `nil` when `output` is too small,
    ///   the input is too long, or a value is not a Unicode scalar value.
    @usableFromInline
    static func encode(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard input.count <= maxInputCount else { return nil }
        var out = 0
        for c in input {
            guard c <= 0x10FFFF, !(0xD800...0xDFFF).contains(c) else { return nil }
            if c < 0x80 {
                guard out < output.count else { return nil }
                output[out] = UInt8(c)
                out += 1
            }
        }
        let basicCount = out
        var handled = basicCount
        if basicCount > 0 {
            guard out < output.count else { return nil }
            output[out] = delimiter
            out += 1
        }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            var m = Int.max
            for c in input where Int(c) >= n && Int(c) < m {
                m = Int(c)
            }
            delta += (m - n) * (handled + 1)
            n = m
            for c in input {
                let c = Int(c)
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k: k, bias: bias)
                        if q < t { break }
                        guard out < output.count else { return nil }
                        output[out] = digitByte(t + (q - t) % (base - t))
                        out += 1
                        q = (q - t) / (base - t)
                        k += base
                    }
                    guard out < output.count else { return nil }
                    output[out] = digitByte(q)
                    out += 1
                    bias = adapt(delta: delta, numPoints: handled + 1, firstTime: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return out
    }

    /// Decodes ASCII bytes into code points (RFC 3492 section 6.2).
    ///
    /// - Returns: the number of code points written to `output`, or `nil` when the input is not
    ///   valid Punycode (a non-basic byte before the last delimiter, a byte that is not a digit,
    ///   a truncated integer, an overflow, a decoded basic code point, surrogate or value above
    ///   U+10FFFF) or `output` is too small.
    @usableFromInline
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt32>) -> Int? {
        guard input.count <= maxInputCount else { return nil }
        var lastDelimiter = -1
        for index in input.indices where input[index] == delimiter {
            lastDelimiter = index
        }
        var written = 0
        if lastDelimiter > 0 {
            guard lastDelimiter <= output.count else { return nil }
            for index in 0..<lastDelimiter {
                let byte = input[index]
                guard byte < 0x80 else { return nil }
                output[written] = UInt32(byte)
                written += 1
            }
        }
        var position = lastDelimiter > 0 ? lastDelimiter + 1 : 0
        var n = initialN
        var i = 0
        var bias = initialBias
        // RFC 3492 uses 32-bit arithmetic; anything that needs more is invalid input.
        let limit = Int(UInt32.max)
        while position < input.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < input.count, let digit = digitValue(input[position]) else { return nil }
                position += 1
                i += digit * w
                guard i <= limit else { return nil }
                let t = threshold(k: k, bias: bias)
                if digit < t { break }
                w *= base - t
                guard w <= limit else { return nil }
                k += base
            }
            let count = written + 1
            bias = adapt(delta: i - oldI, numPoints: count, firstTime: oldI == 0)
            n += i / count
            i %= count
            guard n >= 0x80, n <= 0x10FFFF, !(0xD800...0xDFFF).contains(n) else { return nil }
            guard written < output.count else { return nil }
            var index = written
            while index > i {
                output[index] = output[index - 1]
                index -= 1
            }
            output[i] = UInt32(n)
            written += 1
            i += 1
        }
        return written
    }

    /// Checks the part of an `xn--` label after the prefix (already ASCII-lowercased): it must
    /// decode, contain at least one non-ASCII code point and no C1 control (U+0080–U+009F), and
    /// re-encode to exactly the same bytes.
    /// Uses stack memory only.
    @usableFromInline
    static func isValidALabelBody(_ body: UnsafeRawBufferPointer) -> Bool {
        guard !body.isEmpty, body.count <= 63 else { return false }
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { points in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { reencoded in
                let bytes = body.assumingMemoryBound(to: UInt8.self)
                guard let decodedCount = decode(bytes, into: points) else { return false }
                let decoded = UnsafeBufferPointer(rebasing: points[0..<decodedCount])
                guard decoded.contains(where: { $0 >= 0x80 }) else { return false }
                // C1 controls are never part of a name; this is what makes `xn--a` (U+0080) invalid.
                guard !decoded.contains(where: { (0x80...0x9F).contains($0) }) else { return false }
                guard let encodedCount = encode(decoded, into: reencoded), encodedCount == bytes.count else {
                    return false
                }
                for index in 0..<encodedCount where reencoded[index] != bytes[index] {
                    return false
                }
                return true
            }
        }
    }

    /// Convenience for text: the Punycode form of `scalars` (without `xn--`), or `nil`.
    @usableFromInline
    static func encode(_ scalars: [Unicode.Scalar]) -> [UInt8]? {
        let points = scalars.map(\.value)
        var output = [UInt8](repeating: 0, count: 16 + points.count * 10)
        let count = points.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { encode(input, into: $0) }
        }
        guard let count else { return nil }
        output.removeSubrange(count...)
        return output
    }

    /// Convenience for text: the code points `bytes` (without `xn--`) decode to, or `nil`.
    @usableFromInline
    static func decode(_ bytes: [UInt8]) -> [Unicode.Scalar]? {
        var output = [UInt32](repeating: 0, count: bytes.count)
        let count = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { decode(input, into: $0) }
        }
        guard let count else { return nil }
        return output[0..<count].compactMap(Unicode.Scalar.init)
    }
}
