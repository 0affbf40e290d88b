/// A parser's own copy of the current line, for formats whose fields must be decoded before
/// they can be used (escapes, length-prefixed labels). Decoding shrinks a field in place, so
/// the other ranges stay valid.
///
/// It grows (rarely) to the longest line seen and is reused for every line after: no allocation
/// per line. One parser instance, hence one input, owns it.
public final class DecodedLine: @unchecked Sendable {
    public private(set) var storage: UnsafeMutableRawBufferPointer

    public init(capacity: Int = 4096) {
        storage = .allocate(byteCount: max(capacity, 64), alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Copies `line` in and returns the copy (the first `line.count` bytes of the storage).
    @inlinable
    public func copy(_ line: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        if line.count > storage.count { grow(to: line.count) }
        let copy = UnsafeMutableRawBufferPointer(rebasing: storage[0..<line.count])
        if !line.isEmpty { copy.copyMemory(from: line) }
        return copy
    }

    @usableFromInline
    func grow(to count: Int) {
        storage.deallocate()
        storage = .allocate(byteCount: max(count, storage.count * 2), alignment: 8)
    }
}
