extension HostNormalizer {
    /// What one pass of ``scanName(_:into:portAllowed:)`` found.
    @usableFromInline
    enum ScanOutcome {
        /// A valid canonical name (or dotted quad) is in the output.
        case host(NormalizedHost)
        case rejected(HostRejection)
        /// The byte at this index is not a letter, digit, `-`, `_` or `.` (and not the colon of a
        /// valid `:port` suffix): the caller decides what it means.
        case unusualByte(Int)
    }

    /// For every byte: its ASCII-lowercase form if it may appear in a canonical name (`a-z`,
    /// `0-9`, `-`, `_`, `.`), 0 otherwise.
    @usableFromInline
    static let foldTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = byte }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = byte | 0x20 }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = byte }
        for byte in [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ".")] { table[Int(byte)] = byte }
        return table
    }()

    /// Is `text` a port: 1–5 decimal digits, at most 65535?
    @inlinable
    static func isPort(_ text: UnsafeRawBufferPointer) -> Bool {
        guard !text.isEmpty, text.count <= 5 else { return false }
        var value = 0
        for byte in text {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return false }
            value = value * 10 + Int(digit)
        }
        return value <= 65535
    }

    /// Checks the label `output[start..<end]`: an `xn--` label must be valid Punycode.
    @inlinable
    static func labelIsValid(_ output: UnsafeMutableRawBufferPointer, from start: Int, to end: Int) -> Bool {
        guard end - start >= 4, output[start + 2] == UInt8(ascii: "-"), output[start + 3] == UInt8(ascii: "-"),
            output[start] == UInt8(ascii: "x"), output[start + 1] == UInt8(ascii: "n")
        else { return true }
        return Punycode.isValidALabelBody(UnsafeRawBufferPointer(rebasing: output[(start + 4)..<end]))
    }

    /// One pass over `input`: folds ASCII case, writes to `output`, checks labels, lengths, the
    /// `xn--` labels and a dotted quad when the last label is numeric, strips one trailing dot,
    /// and with `portAllowed` ends the name at a `:` followed by a valid port. Never allocates and
    /// never writes past index 253 of `output`.
    @inlinable
    static func scanName(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        portAllowed: Bool
    ) -> ScanOutcome {
        foldTable.withUnsafeBufferPointer { table in
            scanName(input, into: output, portAllowed: portAllowed, table: table)
        }
    }

    @inlinable
    static func scanName(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        portAllowed: Bool,
        table: UnsafeBufferPointer<UInt8>
    ) -> ScanOutcome {
        let dot = UInt8(ascii: ".")
        let n = input.count
        var o = 0
        var labelStart = 0
        var digitsOnly = true
        var previousDigitsOnly = true
        var i = 0
        while i < n {
            let byte = input[i]
            let folded = table[Int(byte)]
            if folded == 0 {
                if byte == UInt8(ascii: ":") && portAllowed
                    && isPort(UnsafeRawBufferPointer(rebasing: input[(i + 1)...]))
                {
                    break
                }
                return .unusualByte(i)
            }
            if folded == dot {
                if o == labelStart {
                    return .rejected(o == 0 && i + 1 == n ? .empty : .emptyLabel)
                }
                if !labelIsValid(output, from: labelStart, to: o) { return .rejected(.invalidPunycode) }
                output[o] = dot
                o += 1
                labelStart = o
                previousDigitsOnly = digitsOnly
                digitsOnly = true
            } else {
                if o - labelStart == 63 { return .rejected(.labelTooLong) }
                if o >= 253 { return .rejected(.nameTooLong) }
                output[o] = folded
                o += 1
                digitsOnly = digitsOnly && folded &- UInt8(ascii: "0") < 10
            }
            i += 1
        }
        var lastDigitsOnly = digitsOnly
        if o == labelStart {
            if o == 0 { return .rejected(.empty) }
            // Exactly one trailing dot: a second one was an empty label above.
            o -= 1
            lastDigitsOnly = previousDigitsOnly
        } else if !labelIsValid(output, from: labelStart, to: o) {
            return .rejected(.invalidPunycode)
        }
        if lastDigitsOnly {
            guard IPAddressText.parseIPv4(UnsafeRawBufferPointer(rebasing: output[0..<o])) != nil else {
                return .rejected(.badIPAddress)
            }
            return .host(NormalizedHost(kind: .ipv4, count: o))
        }
        return .host(NormalizedHost(kind: .name, count: o))
    }

    /// The hot path of ``normalize(_:into:)``: a host of at most ``outputCapacity`` bytes made of
    /// table bytes and an optional `:port`. Returns `nil` for anything else, valid or not, and
    /// the caller then runs the full path, which alone decides rejections and their reasons.
    ///
    /// With the input no longer than the output, every write is in bounds, so lengths are
    /// checked once per label instead of once per byte, and the dotted-quad test looks at the
    /// last label only.
    @inlinable
    static func scanCommonName(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> NormalizedHost? {
        foldTable.withUnsafeBufferPointer { table -> NormalizedHost? in
            let dot = UInt8(ascii: ".")
            let n = input.count
            var labelStart = 0
            var previousLabelStart = 0
            var i = 0
            while i < n {
                let folded = table[Int(input[i])]
                if folded == 0 {
                    guard input[i] == UInt8(ascii: ":"), isPort(UnsafeRawBufferPointer(rebasing: input[(i + 1)...])) else {
                        return nil
                    }
                    break
                }
                output[i] = folded
                if folded == dot {
                    let length = i - labelStart
                    if length == 0 || length > 63 || !labelIsValid(output, from: labelStart, to: i) { return nil }
                    previousLabelStart = labelStart
                    labelStart = i + 1
                }
                i += 1
            }
            var count = i
            if count == labelStart {
                // A trailing dot (exactly one: a second would be an empty label above).
                if count == 0 { return nil }
                count -= 1
                labelStart = previousLabelStart
            } else if count - labelStart > 63 || !labelIsValid(output, from: labelStart, to: count) {
                return nil
            }
            if count > 253 { return nil }
            // A numeric last label means an IPv4 address: leave it to the full path.
            var k = labelStart
            while k < count, output[k] &- UInt8(ascii: "0") < 10 { k += 1 }
            if k == count { return nil }
            return NormalizedHost(kind: .name, count: count)
        }
    }
}
