extension FieldCursor {
    /// After a syslog timestamp, consumes an optional host field and the tag of `program`:
    /// `program[pid]:`, `program:` or a sub-program such as `dnsmasq-dhcp[pid]:`.
    ///
    /// Returns `false`, with the cursor unmoved, when neither of the next two fields is such a tag.
    @inlinable
    public mutating func skipSyslogTag(program: StaticString) -> Bool {
        let start = position
        for _ in 0..<2 {
            guard let field = nextField() else { break }
            if bytes.isSyslogTag(field, program: program) { return true }
        }
        position = start
        return false
    }
}

extension UnsafeRawBufferPointer {
    /// Whether `range` is `program[…]:`, `program:` or `program-…:`.
    @inlinable
    public func isSyslogTag(_ range: Range<Int>, program: StaticString) -> Bool {
        let count = program.utf8CodeUnitCount
        guard range.count > count, self[range.upperBound - 1] == UInt8(ascii: ":") else { return false }
        let p = program.utf8Start
        for k in 0..<count where self[range.lowerBound + k] != p[k] { return false }
        let next = self[range.lowerBound + count]
        return next == UInt8(ascii: "[") || next == UInt8(ascii: ":") || next == UInt8(ascii: "-")
    }
}
