/// Finds the host part of a URL as proxies log it, without copying.
public enum URLAuthority {
    /// The authority (`[userinfo@]host[:port]`) of `scheme://authority/path`, or the whole field
    /// when it has no scheme but looks like `host:port` (a CONNECT target). `nil` for URLs
    /// that carry no host (`error:…`, `/path`, `-`).
    @inlinable
    public static func authority(in line: UnsafeRawBufferPointer, url: Range<Int>) -> Range<Int>? {
        let end = url.upperBound
        guard url.lowerBound < end else { return nil }
        // A scheme: a letter, then letters, digits, '+', '-', '.', then "://".
        var i = url.lowerBound
        if isLetter(line[i]) {
            i += 1
            while i < end, isSchemeByte(line[i]) { i += 1 }
            if end - i >= 3, line[i] == 0x3A, line[i + 1] == 0x2F, line[i + 2] == 0x2F {
                let start = i + 3
                let stop = firstPathByte(in: line, from: start, to: end)
                return start < stop ? start..<stop : nil
            }
        }
        // No scheme: a bare authority such as "www.example.com:443" or "[::1]:443". A path,
        // query or lone "-" is no host, and neither is "error:invalid-request" (a word, a colon,
        // and no port digits after it).
        let first = line[url.lowerBound]
        if first == 0x2F || (first == 0x2D && url.count == 1) { return nil }
        if firstPathByte(in: line, from: url.lowerBound, to: end) < end { return nil }
        var lastColon = end - 1
        while lastColon >= url.lowerBound, line[lastColon] != 0x3A { lastColon -= 1 }
        if lastColon >= url.lowerBound, first != 0x5B {
            if lastColon + 1 == end { return nil }
            for k in (lastColon + 1)..<end where line[k] &- 0x30 > 9 { return nil }
        }
        return url
    }

    @inlinable
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    @inlinable
    static func isSchemeByte(_ b: UInt8) -> Bool {
        isLetter(b) || b &- 0x30 < 10 || b == 0x2B || b == 0x2D || b == 0x2E
    }

    /// Index of the first `/`, `?` or `#` at or after `start`, or `end`; eight bytes at a time.
    @inlinable
    static func firstPathByte(in line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        var i = start
        if let base = line.baseAddress {
            while i + 8 <= end {
                let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let mask =
                    FieldCursor.zeroBytes(word ^ 0x2F2F_2F2F_2F2F_2F2F)
                    | FieldCursor.zeroBytes(word ^ 0x3F3F_3F3F_3F3F_3F3F)
                    | FieldCursor.zeroBytes(word ^ 0x2323_2323_2323_2323)
                if mask != 0 { return i + mask.trailingZeroBitCount >> 3 }
                i += 8
            }
        }
        while i < end {
            let b = line[i]
            if b == 0x2F || b == 0x3F || b == 0x23 { return i }
            i += 1
        }
        return end
    }
}

extension URLAuthority {
    /// Whether an authority (`[userinfo@]host[:port]`) names an IP address rather than a host
    /// name: `[…]` (IPv6), or digits and dots only (IPv4). Formats that also log the SNI or the
    /// `Host` header prefer those when the URL only has an address.
    @inlinable
    public static func isIPLiteral(in line: UnsafeRawBufferPointer, authority: Range<Int>) -> Bool {
        var start = authority.lowerBound
        var i = authority.upperBound
        while i > start {  // userinfo ends at the last '@'
            i -= 1
            if line[i] == 0x40 {
                start = i + 1
                break
            }
        }
        guard start < authority.upperBound else { return false }
        if line[start] == 0x5B { return true }  // '['
        var sawDigit = false
        for k in start..<authority.upperBound {
            let b = line[k]
            if b == 0x3A { break }  // ':' port
            if b &- 0x30 < 10 { sawDigit = true } else if b != 0x2E { return false }
        }
        return sawDigit
    }
}
