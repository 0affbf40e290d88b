#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back a large table with 2 MiB pages (where transparent huge pages are on
/// `madvise`, as on Debian): the aggregator's tables are probed at random, and with 4 KiB pages
/// nearly every probe also missed the TLB.
@usableFromInline
enum HugePages {
    @usableFromInline static let size = 2 << 20

    @usableFromInline
    static func advise<T>(_ array: inout [T]) {
        #if os(Linux)
        let bytes = array.count * MemoryLayout<T>.stride
        guard bytes >= 2 * size else { return }
        array.withUnsafeMutableBytes { raw in
            let start = (Int(bitPattern: raw.baseAddress!) + size - 1) & ~(size - 1)
            let end = (Int(bitPattern: raw.baseAddress!) + raw.count) & ~(size - 1)
            if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, 14 /* MADV_HUGEPAGE */) }
        }
        #endif
    }
}
