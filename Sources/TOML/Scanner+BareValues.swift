extension Scanner {
    /// Reads an unquoted value at the cursor: a boolean, integer, float or date-time.
    ///
    /// The whole run of characters that could belong to such a value is taken first and judged
    /// as one token, so `truex`, `1.2.3` and `2024-02-30` are reported as written instead of as a
    /// valid prefix followed by garbage.
    mutating func scanBareValue() throws(TOMLError) -> TOMLValue {
        let start = index
        skipToken()
        // A date and a time may be separated by a space instead of a `T`.
        if index - start == 10, Self.isDigit(bytes[start]), bytes[start + 4] == UInt8(ascii: "-"),
            peek() == UInt8(ascii: " "), Self.isDigit(peek(1)), Self.isDigit(peek(2)), peek(3) == UInt8(ascii: ":")
        {
            advance()
            skipToken()
        }
        let token = bytes[start..<index]
        guard let first = token.first else { throw unexpected("expected a value") }
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if Self.looksLikeDateTime(token) {
            if let problem = Self.dateTimeProblem(Array(token)) {
                throw error("invalid date-time '\(text)': \(problem)", at: start)
            }
            return .datetime(text)
        }
        let signed = first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
        let body = signed ? token.dropFirst() : token
        guard let lead = body.first, Self.isDigit(lead) else {
            let hint = Self.isBareKeyByte(first) && !signed ? "; strings must be quoted" : ""
            throw error("invalid value '\(text)'\(hint)", at: start)
        }
        if lead == UInt8(ascii: "0"), body.count > 2, let radix = Self.radix(prefix: body[body.startIndex + 1]) {
            if signed { throw error("a prefixed integer cannot have a sign: '\(text)'", at: start) }
            return .integer(try integer(body.dropFirst(2), radix: radix, negative: false, text: text, at: start))
        }
        if body.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return .float(try float(body, text: text, at: start))
        }
        if lead == UInt8(ascii: "0") && body.count > 1 && Self.isDigitRun(body, radix: 10) {
            throw error("leading zeros are not allowed: '\(text)'", at: start)
        }
        return .integer(try integer(body, radix: 10, negative: first == UInt8(ascii: "-"), text: text, at: start))
    }

    /// Skips the characters that may appear in a bare value: letters, digits, `_ + - . :`.
    private mutating func skipToken() {
        while let byte = peek(),
            Self.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: ":")
        {
            advance()
        }
    }

    /// Converts the digits of an integer, which must fit in 64 bits.
    ///
    /// Negative numbers are accumulated downwards so that `Int64.min` can be written.
    private func integer(
        _ digits: ArraySlice<UInt8>,
        radix: Int,
        negative: Bool,
        text: String,
        at start: Int
    ) throws(TOMLError) -> Int64 {
        guard Self.isDigitRun(digits, radix: radix) else { throw error("invalid integer '\(text)'", at: start) }
        var value: Int64 = 0
        for byte in digits where byte != UInt8(ascii: "_") {
            let digit = Int64(Self.digitValue(byte, radix: radix)!)
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: Int64(radix))
            let (next, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { throw error("integer '\(text)' does not fit in 64 bits", at: start) }
            value = next
        }
        return value
    }

    /// Checks a float's shape — integer part, then a fraction, an exponent or both — and converts
    /// it.
    private func float(_ body: ArraySlice<UInt8>, text: String, at start: Int) throws(TOMLError) -> Double {
        let isExponent = { (byte: UInt8) in byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") }
        let integerEnd = body.firstIndex { $0 == UInt8(ascii: ".") || isExponent($0) } ?? body.endIndex
        let integerPart = body[..<integerEnd]
        var valid = Self.isDigitRun(integerPart, radix: 10)
        if valid && integerPart.first == UInt8(ascii: "0") && integerPart.count > 1 {
            throw error("leading zeros are not allowed: '\(text)'", at: start)
        }
        var rest = body[integerEnd...]
        if rest.first == UInt8(ascii: ".") {
            let fractionEnd = rest.firstIndex(where: isExponent) ?? rest.endIndex
            valid = valid && Self.isDigitRun(rest[(rest.startIndex + 1)..<fractionEnd], radix: 10)
            rest = rest[fractionEnd...]
        }
        if !rest.isEmpty {
            var exponent = rest.dropFirst()
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") {
                exponent = exponent.dropFirst()
            }
            valid = valid && Self.isDigitRun(exponent, radix: 10)
        }
        let digits = bytes[start..<index].filter { $0 != UInt8(ascii: "_") }
        guard valid, let value = Double(String(decoding: digits, as: UTF8.self)) else {
            throw error("invalid float '\(text)'", at: start)
        }
        return value
    }

    // MARK: Digits

    private static func radix(prefix: UInt8) -> Int? {
        switch prefix {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    static func digitValue(_ byte: UInt8, radix: Int) -> Int? {
        let value: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }

    /// Digits with single underscores between them (`1_000`); not empty, no `_` at either end.
    private static func isDigitRun(_ run: ArraySlice<UInt8>, radix: Int) -> Bool {
        guard let first = run.first, let last = run.last,
            digitValue(first, radix: radix) != nil, digitValue(last, radix: radix) != nil
        else { return false }
        var afterUnderscore = false
        for byte in run {
            if byte == UInt8(ascii: "_") {
                if afterUnderscore { return false }
                afterUnderscore = true
            } else if digitValue(byte, radix: radix) == nil {
                return false
            } else {
                afterUnderscore = false
            }
        }
        return true
    }

    // MARK: Date-times

    /// Starts like a date (`1979-`) or a time (`07:`).
    private static func looksLikeDateTime(_ token: ArraySlice<UInt8>) -> Bool {
        let t = token.startIndex
        if token.count >= 5, (t..<t + 4).allSatisfy({ isDigit(token[$0]) }), token[t + 4] == UInt8(ascii: "-") {
            return true
        }
        return token.count >= 3 && isDigit(token[t]) && isDigit(token[t + 1]) && token[t + 2] == UInt8(ascii: ":")
    }

    /// What is wrong with a date-time, or `nil` if it is one of the shapes TOML allows:
    /// `YYYY-MM-DD`, `HH:MM:SS[.frac]`, or a date, `T`/`t`/space, a time and optionally `Z`/`z`
    /// or `±HH:MM`.
    static func dateTimeProblem(_ chars: [UInt8]) -> String? {
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= chars.count else { return nil }
            var value = 0
            for byte in chars[i..<i + width] {
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            i += width
            return value
        }
        func skip(_ character: Unicode.Scalar) -> Bool {
            guard i < chars.count, chars[i] == UInt8(ascii: character) else { return false }
            i += 1
            return true
        }
        func time() -> String? {
            guard let hour = number(2), skip(":"), let minute = number(2), skip(":"), let second = number(2) else {
                return "expected a time as HH:MM:SS"
            }
            if skip(".") {
                let fractionStart = i
                while i < chars.count, isDigit(chars[i]) { i += 1 }
                if i == fractionStart { return "expected digits after '.'" }
            }
            if hour > 23 { return "hour out of range" }
            if minute > 59 { return "minute out of range" }
            if second > 60 { return "second out of range" }
            return nil
        }

        guard chars.count > 4, chars[4] == UInt8(ascii: "-") else {
            return time() ?? (i == chars.count ? nil : "unexpected characters after the time")
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2) else {
            return "expected a date as YYYY-MM-DD"
        }
        if !(1...12).contains(month) { return "month out of range" }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        if !(1...days).contains(day) { return "day out of range" }
        if i == chars.count { return nil }
        guard skip("T") || skip("t") || skip(" ") else { return "expected 'T' between the date and the time" }
        if let problem = time() { return problem }
        if i == chars.count || ((skip("Z") || skip("z")) && i == chars.count) { return nil }
        guard skip("+") || skip("-"), let hours = number(2), skip(":"), let minutes = number(2), i == chars.count
        else { return "expected 'Z' or an offset as +HH:MM after the time" }
        return hours > 23 || minutes > 59 ? "offset out of range" : nil
    }
}
