/// Finds the host part of a URL as proxies log it, without copying.
public enum URLAuthority {
    /// The authority (`[userinfo@]host[:port]`) of `scheme://authority/path`, or the whole field
    /// when it has no scheme but looks like `host:port` (a CONNECT target). `nil` for URLs
    /// that carry no host (`error:…`, `/path`, `-`).
    @inlinable
    public static func authority(in line: UnsafeRawBufferPointer, url: Range<Int>) -> Range<Int>? {
        var i = url.lowerBound
        let end = url.upperBound
        // A scheme is letters, digits, '+', '-', '.' followed by "://".
        while i < end {
            let b = line[i]
            let isSchemeByte = (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == 0x2B || b == 0x2D || b == 0x2E
            if !isSchemeByte { break }
            i += 1
        }
        if i > url.lowerBound, end - i >= 3, line[i] == 0x3A, line[i + 1] == 0x2F, line[i + 2] == 0x2F {
            let start = i + 3
            var j = start
            while j < end {
                let b = line[j]
                if b == 0x2F || b == 0x3F || b == 0x23 { break }  // '/', '?', '#'
                j += 1
            }
            return start < j ? start..<j : nil
        }
        // No scheme: a bare authority such as "www.example.com:443" or "[::1]:443".
        guard url.lowerBound < end else { return nil }
        let first = line[url.lowerBound]
        if first == 0x2F || first == 0x2D && url.count == 1 { return nil }
        for k in url where line[k] == 0x2F || line[k] == 0x3F { return nil }
        // "error:invalid-request" and friends: a word, a colon, then no port digits.
        if let colon = url.lastIndex(where: { line[$0] == 0x3A }), first != 0x5B {
            let port = (colon + 1)..<end
            if port.isEmpty || !port.allSatisfy({ line[$0] >= 0x30 && line[$0] <= 0x39 }) { return nil }
        }
        return url
    }
}
