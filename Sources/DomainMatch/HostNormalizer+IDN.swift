/// Names with non-ASCII bytes: strict UTF-8, Unicode lowercasing per label, Punycode.
///
/// This is deliberately not full UTS #46 processing: there is no NFC normalization (the stdlib has
/// none without Foundation), no mapping table beyond `lowercaseMapping`, no Bidi or joiner checks.
/// Log-derived names are what was asked on the wire; what matters is that equal names give equal
/// bytes and that nothing non-ASCII can fold into an ASCII name.
extension HostNormalizer {
    /// The label separators: `.`, U+3002 IDEOGRAPHIC FULL STOP, U+FF0E FULLWIDTH FULL STOP,
    /// U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP.
    static func isLabelSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2E, 0x3002, 0xFF0E, 0xFF61: true
        default: false
        }
    }

    static func unicodeName(
        _ text: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Result<NormalizedHost, HostRejection> {
        guard let scalars = decodeUTF8Strictly(text) else { return .failure(.invalidUTF8) }
        var ascii: [UInt8] = []
        ascii.reserveCapacity(text.count * 2 + 8)
        var label: [Unicode.Scalar] = []
        for scalar in scalars {
            if isLabelSeparator(scalar) {
                if let reason = appendLabel(label, to: &ascii) { return .failure(reason) }
                ascii.append(UInt8(ascii: "."))
                label.removeAll(keepingCapacity: true)
            } else {
                label.append(scalar)
            }
        }
        if let reason = appendLabel(label, to: &ascii) { return .failure(reason) }
        return ascii.withUnsafeBytes { bytes in
            switch scanName(bytes, into: output, portAllowed: false) {
            case .host(let host): .success(host)
            case .rejected(let reason): .failure(reason)
            case .unusualByte: .failure(.badByte)
            }
        }
    }

    /// Appends one label in ASCII form: an ASCII label as it is (the scan folds and checks it),
    /// a label with non-ASCII as `xn--` plus the Punycode of its lowercase form.
    static func appendLabel(_ label: [Unicode.Scalar], to ascii: inout [UInt8]) -> HostRejection? {
        guard label.contains(where: { !$0.isASCII }) else {
            for scalar in label { ascii.append(UInt8(scalar.value)) }
            return nil
        }
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(label.count)
        for scalar in label {
            if scalar.isASCII {
                let folded = foldTable[Int(scalar.value)]
                guard folded != 0 else { return .badByte }
                lowered.append(Unicode.Scalar(folded))
            } else {
                // C1 controls (U+0080–U+009F) are bytes no name may contain, like their C0 cousins.
                guard scalar.value > 0x9F else { return .badByte }
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        if lowered.allSatisfy(\.isASCII) { return .confusableFold }
        for scalar in lowered where scalar.isASCII && foldTable[Int(scalar.value)] == 0 {
            return .badByte
        }
        if lowered.count >= 4 && lowered[0] == "x" && lowered[1] == "n" && lowered[2] == "-" && lowered[3] == "-" {
            // An A-label prefix on a U-label: neither form is meaningful.
            return .invalidPunycode
        }
        guard let encoded = Punycode.encode(lowered) else { return .invalidPunycode }
        if encoded.count + 4 > 63 { return .labelTooLong }
        ascii.append(contentsOf: "xn--".utf8)
        ascii.append(contentsOf: encoded)
        return nil
    }

    /// Decodes UTF-8, rejecting (not repairing) anything ill-formed: stray continuation bytes,
    /// truncated sequences, overlong forms, surrogates, and values above U+10FFFF.
    static func decodeUTF8Strictly(_ bytes: UnsafeRawBufferPointer) -> [Unicode.Scalar]? {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let lead = bytes[i]
            let length: Int
            var value: UInt32
            // The allowed range of the second byte narrows for E0, ED, F0 and F4 (Unicode table 3-7).
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0x00...0x7F:
                scalars.append(Unicode.Scalar(lead))
                i += 1
                continue
            case 0xC2...0xDF:
                length = 2
                value = UInt32(lead & 0x1F)
            case 0xE0...0xEF:
                length = 3
                value = UInt32(lead & 0x0F)
                if lead == 0xE0 { secondLow = 0xA0 }
                if lead == 0xED { secondHigh = 0x9F }
            case 0xF0...0xF4:
                length = 4
                value = UInt32(lead & 0x07)
                if lead == 0xF0 { secondLow = 0x90 }
                if lead == 0xF4 { secondHigh = 0x8F }
            default:
                return nil
            }
            guard i + length <= n else { return nil }
            for k in 1..<length {
                let byte = bytes[i + k]
                let low = k == 1 ? secondLow : 0x80
                let high = k == 1 ? secondHigh : 0xBF
                guard byte >= low && byte <= high else { return nil }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
            i += length
        }
        return scalars
    }
}
