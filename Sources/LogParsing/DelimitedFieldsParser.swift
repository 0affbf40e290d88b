/// Generic delimited logs (`csv`, `tsv`): the source's options say which column holds which
/// field.
///
/// ```toml
/// [[source]]
/// format = "csv"
/// header = true                       # the first line names the columns
/// time_format = "%Y-%m-%d %H:%M:%S"   # see TimeFormat; default iso8601
/// kind = "dns"
/// fields = { time = "Timestamp", client = "InternalIp", host = "Domain", qtype = 7 }
/// ```
///
/// `fields` maps hostwatch fields (`time`, `client`, `user`, `host`, `url`, `method`, `status`,
/// `action`, `qtype`, `rcode`) to a column: its number from 1, or, with `header`, its name in
/// the header line. `time` and `host` or `url` are required; without `host` the host is the
/// URL's authority. CSV follows RFC 4180 (quoted fields, `""` escapes, separators inside quotes;
/// escaped fields are decoded in a copy of the line); TSV splits on tabs only, without quoting.
///
/// With `header`, the first line is the header (`.notAVisit`); a later line that again holds
/// every named column (a file concatenated from several exports) is a new header that re-maps
/// the columns. Until a header has named every column, lines are `.malformed` — note that a
/// reader that starts in the middle of a file (resuming from a checkpoint) sees no header, so
/// prefer column numbers for tailed files. Empty cells and `-` are unset; lines with too few
/// columns for `time` and the host or URL are `.malformed`.
public struct DelimitedFieldsParser: LogParser {
    public let id: String

    /// The fields a source may map.
    public static let fieldNames = ["time", "client", "user", "host", "url", "method", "status", "action", "qtype", "rcode"]

    @usableFromInline let separator: UInt8
    @usableFromInline let kind: LogEvent.Kind
    @usableFromInline let time: TimeFormat
    @usableFromInline var clock: LineTime
    /// Column index (from 0) of each field in ``fieldNames`` order; -1 when unmapped or unknown yet.
    @usableFromInline var columns: [Int]
    /// Header names of the fields mapped by name (ASCII-lowercased bytes), in ``fieldNames`` order.
    @usableFromInline let names: [[UInt8]?]
    @usableFromInline let header: Bool
    @usableFromInline var sawHeader = false
    @usableFromInline let fields = CSVFields(capacity: 256)
    @usableFromInline let decoded = DecodedLine()

    public init(separator: UInt8, options: FormatOptions, context: ParserContext) throws(FormatError) {
        id = separator == 0x09 ? "tsv" : "csv"
        self.separator = separator
        kind = options.kind
        header = options.header
        clock = LineTime(context: context)
        do {
            time = try TimeFormat(options.timeFormat ?? "iso8601")
        } catch {
            throw FormatError("\(separator == 0x09 ? "tsv" : "csv"): \(error.message)")
        }
        var columns = [Int](repeating: -1, count: Self.fieldNames.count)
        var names = [[UInt8]?](repeating: nil, count: Self.fieldNames.count)
        let format = separator == 0x09 ? "tsv" : "csv"
        for (field, spec) in options.fields.sorted(by: { $0.key < $1.key }) {
            guard let index = Self.fieldNames.firstIndex(of: field) else {
                throw FormatError(
                    "\(format): unknown field '\(field)' (known: \(Self.fieldNames.joined(separator: ", ")))")
            }
            let trimmed = Self.trimmed(Array(spec.utf8))
            if let number = Int(String(decoding: trimmed, as: UTF8.self)) {
                guard number >= 1, number <= 256 else {
                    throw FormatError("\(format): field '\(field)' is column \(number); columns count from 1 to 256")
                }
                columns[index] = number - 1
            } else {
                guard options.header else {
                    throw FormatError(
                        "\(format): field '\(field)' names column '\(spec)', but the source has no header (header = true), so it must be a number")
                }
                guard !trimmed.isEmpty else { throw FormatError("\(format): field '\(field)' has an empty column") }
                names[index] = trimmed.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
            }
        }
        func mapped(_ field: String) -> Bool {
            let index = Self.fieldNames.firstIndex(of: field)!
            return columns[index] >= 0 || names[index] != nil
        }
        guard mapped("time") else { throw FormatError("\(format): the fields need a 'time' column") }
        guard mapped("host") || mapped("url") else {
            throw FormatError("\(format): the fields need a 'host' or a 'url' column")
        }
        self.columns = columns
        self.names = names
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        clock.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        fields.split(line, separator: separator, quoting: separator != 0x09)
        if header, !sawHeader || columns[0] < 0 || columns[3] < 0 && columns[4] < 0 {
            if readHeader(line) { return .notAVisit }
            if !sawHeader {
                sawHeader = true
                return .notAVisit  // the first line is the header, whatever it holds
            }
            return .malformed  // the header did not name every column
        }
        let bytes = fields.text(of: line, decodingInto: decoded, for: &event)
        guard let timeField = fields.range(columns[0]) else { return .malformed }
        switch time.read(bytes, timeField, clock: &clock) {
        case .millis(let t): event.timeMillis = t
        case .invalid: return .badTime
        case .notATime:
            if header, readHeader(line) { return .notAVisit }
            return .badTime
        }
        event.kind = kind
        if let client = value(1, bytes) { event.client = client }
        event.user = value(2, bytes)
        let url = value(4, bytes)
        event.url = url
        event.method = value(5, bytes)
        event.status = value(6, bytes)
        event.action = value(7, bytes)
        event.qtype = value(8, bytes)
        event.rcode = value(9, bytes)
        if columns[3] >= 0 {
            guard fields.range(columns[3]) != nil else { return .malformed }
            if let host = value(3, bytes) {
                event.host = host
                return nil
            }
        } else if url == nil, fields.range(columns[4]) == nil {
            return .malformed
        }
        guard let url, let host = URLAuthority.authority(in: bytes, url: url) else { return .noHost }
        event.host = host
        return nil
    }

    /// The cell of field `index` (in ``fieldNames`` order) unless unmapped, missing, empty or `-`.
    @inlinable
    func value(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let range = fields.range(columns[index]), !range.isEmpty, !bytes.isDash(range) else { return nil }
        return range
    }

    /// When the split line names every column mapped by name (ASCII case-insensitive, spaces
    /// around ignored), takes their positions from it. No allocation unless it is a header.
    @inlinable
    mutating func readHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        var any = false
        for name in names {
            guard let name else { continue }
            any = true
            guard position(of: name, in: line) != nil else { return false }
        }
        guard any else { return false }
        for (index, name) in names.enumerated() {
            if let name, let column = position(of: name, in: line) { columns[index] = column }
        }
        sawHeader = true
        return true
    }

    /// The column whose cell is `name`.
    @inlinable
    func position(of name: [UInt8], in line: UnsafeRawBufferPointer) -> Int? {
        for column in 0..<fields.count {
            guard var range = fields.range(column) else { continue }
            while !range.isEmpty, line[range.lowerBound] == 0x20 { range = (range.lowerBound + 1)..<range.upperBound }
            while !range.isEmpty, line[range.upperBound - 1] == 0x20 { range = range.lowerBound..<(range.upperBound - 1) }
            guard range.count == name.count else { continue }
            var equal = true
            for k in 0..<name.count {
                let b = line[range.lowerBound + k]
                if (b &- 0x41 < 26 ? b | 0x20 : b) != name[k] {
                    equal = false
                    break
                }
            }
            if equal { return column }
        }
        return nil
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        while let b = slice.first, b == 0x20 || b == 0x09 { slice = slice.dropFirst() }
        while let b = slice.last, b == 0x20 || b == 0x09 { slice = slice.dropLast() }
        return Array(slice)
    }
}
