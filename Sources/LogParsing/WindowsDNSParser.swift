/// The Windows Server DNS debug log ("Log packets for debugging" in the DNS console, or
/// `Set-DnsServerDiagnostics -EnableLoggingToFile`), packet lines:
///
/// ```
/// <date> <time> <thread> PACKET  <packet id> <UDP|TCP> <Snd|Rcv> <remote IP> <xid> <R| > <opcode> [<flags hex> <flag chars> <rcode>] <qtype> <qname>
/// 11/29/2026 3:45:04 AM 0E5C PACKET  0000023F8A2B3C40 UDP Rcv 10.0.0.5        e5a1   Q [0001   D   NOERROR] A      (5)login(9)evil-brand(3)com(0)
/// 11/29/2026 3:45:04 AM 0E5C PACKET  0000023F8A2B3C40 UDP Snd 10.0.0.5        e5a1 R Q [8081   DR  NOERROR] A      (5)login(9)evil-brand(3)com(0)
/// ```
///
/// A visit is a query received from a client: `Rcv` without the `R` (response) mark. Responses,
/// `Snd` lines (replies and the server's own forwarded queries), lines of other contexts
/// (`EVENT`, `Note:`), and the header the file starts with (`DNS Server log file creation at …`,
/// `Message logging key …`, the indented field descriptions, blank lines) are `.notAVisit`.
///
/// The date and time follow the server's regional settings and are local time (the context's
/// zone). Supported: `m/d/yyyy h:mm:ss AM` (US default), `dd/mm/yyyy hh:mm:ss` (24-hour),
/// `dd.mm.yyyy hh:mm:ss` (German and others), `yyyy/m/d` and `yyyy-mm-dd` (year first), with one
/// or two digits for day, month and hour, and `AM`/`PM` optional. With `/` and a year last, a day
/// above 12 settles the order for the rest of the file; until then `AM`/`PM` means month first
/// (US) and a 24-hour clock means day first.
///
/// The question name `(5)login(9)evil-brand(3)com(0)` is decoded to `login.evil-brand.com` in a
/// copy of the line; the lengths are checked against the text (a mismatch is `.malformed`), and
/// the root `(0)` is `.noHost`. `client` is the remote IP (IPv4 or IPv6), `qtype` the type column
/// (`A`, `AAAA`, `PTR`…), `rcode` the last word inside the brackets (`NOERROR`, `NXDOMAIN`).
public struct WindowsDNSParser: LogParser {
    public let id = "windows-dns"
    @usableFromInline var time: LineTime
    /// Whether `/` dates put the day first; `nil` until a line settles it.
    @usableFromInline var dayFirst: Bool?
    @usableFromInline let decoded = DecodedLine()

    public init(context: ParserContext) {
        time = LineTime(context: context)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        time.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        var cursor = FieldCursor(line)
        guard let first = cursor.peek() else { return .notAVisit }
        if first &- 0x30 > 9 { return Self.isHeader(line) ? .notAVisit : .malformed }
        switch readTime(&cursor) {
        case .millis(let t): event.timeMillis = t
        case .invalid: return .badTime
        case .notATime: return Self.isHeader(line) ? .notAVisit : .malformed
        }
        guard cursor.nextField() != nil,  // thread id
            let context = cursor.nextField()
        else { return .malformed }
        guard line.bytes(in: context, equal: "PACKET") else { return .notAVisit }
        guard cursor.nextField() != nil,  // packet id
            cursor.nextField() != nil,  // UDP / TCP
            let direction = cursor.nextField(),
            let client = cursor.nextField(),
            cursor.nextField() != nil,  // xid
            var opcode = cursor.nextField()
        else { return .malformed }
        var response = false
        if line.bytes(in: opcode, equal: "R") {
            response = true
            guard let next = cursor.nextField() else { return .malformed }
            opcode = next
        }
        // "[flags hex  flag chars  rcode]"
        cursor.skipSpaces()
        guard cursor.consume("["), let inside = cursor.upTo(UInt8(ascii: "]")) else { return .malformed }
        var rcodeStart = inside.upperBound
        while rcodeStart > inside.lowerBound, line[rcodeStart - 1] != 0x20 { rcodeStart -= 1 }
        guard let qtype = cursor.nextField(), let qname = cursor.nextField() else { return .malformed }

        event.kind = .dns
        event.client = client
        event.qtype = qtype
        event.rcode = rcodeStart < inside.upperBound ? rcodeStart..<inside.upperBound : nil
        // Queries only (opcode Q): notifies (N) and updates (U) are no visits.
        guard line.bytes(in: direction, equal: "Rcv"), !response, line.bytes(in: opcode, equal: "Q") else {
            return .notAVisit
        }

        // The name: length-prefixed labels, or (some tools) already dotted.
        var nameEnd = qname.upperBound
        if nameEnd > qname.lowerBound, line[nameEnd - 1] == 0x0D { nameEnd -= 1 }
        guard qname.lowerBound < nameEnd, line[qname.lowerBound] == UInt8(ascii: "(") else {
            var start = qname.lowerBound
            if start < nameEnd, line[start] == UInt8(ascii: "."), nameEnd - start > 1 { start += 1 }
            guard start < nameEnd else { return .noHost }
            event.host = start..<nameEnd
            return nil
        }
        let copy = decoded.copy(line)
        guard let host = Self.decodeLabels(copy, from: qname.lowerBound, to: nameEnd) else { return .malformed }
        event.text = UnsafeRawBufferPointer(copy)
        guard !host.isEmpty else { return .noHost }
        event.host = host
        return nil
    }

    /// Rewrites `(5)login(3)com(0)` at `start` in place as `login.com`; `nil` when a length does
    /// not match the text or the name does not end with `(0)`.
    @inlinable
    static func decodeLabels(_ b: UnsafeMutableRawBufferPointer, from start: Int, to end: Int) -> Range<Int>? {
        var read = start
        var write = start
        while true {
            guard read < end, b[read] == UInt8(ascii: "(") else { return nil }
            read += 1
            var length = 0
            let digits = read
            while read < end, b[read] &- 0x30 < 10, read - digits < 3 {
                length = length * 10 + Int(b[read] &- 0x30)
                read += 1
            }
            guard read > digits, read < end, b[read] == UInt8(ascii: ")") else { return nil }
            read += 1
            if length == 0 { return read == end ? start..<write : nil }
            guard length <= 63, end - read >= length else { return nil }
            if write > start {
                b[write] = UInt8(ascii: ".")
                write += 1
            }
            for k in 0..<length { b[write + k] = b[read + k] }
            write += length
            read += length
        }
    }

    /// The date and time at the start of the line, in the server's local time.
    @inlinable
    mutating func readTime(_ cursor: inout FieldCursor) -> LineTime.Read {
        let b = cursor.bytes
        guard let dateField = cursor.nextField(), let clockField = cursor.nextField() else { return .notATime }
        // Date: three numbers split by '/', '.' or '-'.
        var numbers: (Int, Int, Int) = (0, 0, 0)
        var widths: (Int, Int, Int) = (0, 0, 0)
        var separator: UInt8 = 0
        var i = dateField.lowerBound
        for part in 0..<3 {
            var value = 0
            let start = i
            while i < dateField.upperBound, b[i] &- 0x30 < 10, i - start < 4 {
                value = value * 10 + Int(b[i] &- 0x30)
                i += 1
            }
            guard i > start else { return .notATime }
            switch part {
            case 0: numbers.0 = value; widths.0 = i - start
            case 1: numbers.1 = value; widths.1 = i - start
            default: numbers.2 = value; widths.2 = i - start
            }
            if part < 2 {
                guard i < dateField.upperBound else { return .notATime }
                let s = b[i]
                guard s == UInt8(ascii: "/") || s == UInt8(ascii: ".") || s == UInt8(ascii: "-") else {
                    return .notATime
                }
                if part == 0 { separator = s } else if s != separator { return .notATime }
                i += 1
            }
        }
        guard i == dateField.upperBound else { return .notATime }
        // Clock: h:mm:ss, then an optional AM / PM word.
        var hour = 0
        var minute = 0
        var second = 0
        var j = clockField.lowerBound
        for part in 0..<3 {
            var value = 0
            let start = j
            while j < clockField.upperBound, b[j] &- 0x30 < 10, j - start < 2 {
                value = value * 10 + Int(b[j] &- 0x30)
                j += 1
            }
            guard j > start else { return .notATime }
            switch part {
            case 0: hour = value
            case 1: minute = value
            default: second = value
            }
            if part < 2 {
                guard j < clockField.upperBound, b[j] == UInt8(ascii: ":") else { return .notATime }
                j += 1
            }
        }
        guard j == clockField.upperBound else { return .notATime }
        var twelveHour = false
        let save = cursor.position
        if let word = cursor.nextField(), word.count == 2, b[word.upperBound - 1] | 0x20 == UInt8(ascii: "m") {
            let ap = b[word.lowerBound] | 0x20
            if ap == UInt8(ascii: "a") || ap == UInt8(ascii: "p") {
                twelveHour = true
                guard (1...12).contains(hour) else { return .invalid }
                if ap == UInt8(ascii: "a") { hour = hour == 12 ? 0 : hour } else { hour = hour == 12 ? 12 : hour + 12 }
            } else {
                cursor.position = save
            }
        } else {
            cursor.position = save
        }
        let year: Int
        let month: Int
        let day: Int
        if widths.0 == 4 {
            (year, month, day) = numbers
        } else if widths.2 == 4 {
            year = numbers.2
            let dayFirstHere: Bool
            if separator == UInt8(ascii: ".") {
                dayFirstHere = true
            } else if numbers.0 > 12 {
                dayFirst = true
                dayFirstHere = true
            } else if numbers.1 > 12 {
                dayFirst = false
                dayFirstHere = false
            } else {
                dayFirstHere = dayFirst ?? !twelveHour
            }
            (day, month) = dayFirstHere ? (numbers.0, numbers.1) : (numbers.1, numbers.0)
        } else {
            return .notATime
        }
        return time.local(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: 0)
    }

    /// The lines of the header block the debug log starts with.
    @inlinable
    static func isHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let first = line.first else { return true }
        if first == 0x20 || first == 0x09 || first == 0x0D { return true }  // field descriptions, blank
        var cursor = FieldCursor(line)
        return cursor.consume("DNS Server log") || cursor.consume("Log file wrap")
            || cursor.consume("Message logging key")
    }
}
