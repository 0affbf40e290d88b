import CPCRE2

/// Why a pattern does not compile: PCRE2's own words and the byte offset it points at.
public struct PCRE2CompileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// PCRE2's message, for example `missing closing parenthesis`.
    public var message: String
    /// The byte offset in the pattern where PCRE2 gave up.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `missing closing parenthesis at offset 12`.
    public var description: String { "\(message) at offset \(offset)" }
}

/// A compiled PCRE2 pattern, shared read-only by every parser built from one definition.
///
/// Compiled once, in byte mode (no `PCRE2_UTF`): log lines are bytes and are not guaranteed to
/// be UTF-8, and a UTF-mode pattern would make PCRE2 reject (or, with `PCRE2_NO_UTF_CHECK`,
/// misread) a line with invalid UTF-8. In byte mode every line can be matched, `.` and `\S`
/// match single bytes, and non-ASCII literals in a pattern still match their UTF-8 bytes.
/// `PCRE2_NEVER_UTF` keeps a pattern from switching UTF mode on with `(*UTF)`.
///
/// Then JIT-compiled when the platform allows it (`pcre2_jit_compile`; it fails, for example,
/// under systemd's `MemoryDenyWriteExecute=yes`), else matched by the interpreter: same results,
/// about four times slower.
///
/// PCRE2 documents compiled code as safe to share between threads once compiled (JIT
/// included); all per-match state lives in ``PCRE2Matcher``, one per parser instance.
public final class PCRE2Program: @unchecked Sendable {
    @usableFromInline let code: OpaquePointer
    /// The pattern as written.
    public let pattern: String
    /// Whether the JIT compiled the pattern (matching then goes through `pcre2_jit_match`).
    public let usesJIT: Bool
    /// The number of capturing groups.
    public let captureCount: Int
    /// The named groups: name and group number, in the order of PCRE2's name table (by name;
    /// a name used twice with `(?J)` or in a `(?|…)` branch reset appears once per number).
    public let namedGroups: [(name: String, number: Int)]

    /// Compiles `pattern`.
    ///
    /// - Throws: ``PCRE2CompileError`` with PCRE2's message and the byte offset of the problem.
    public init(pattern: String) throws(PCRE2CompileError) {
        self.pattern = pattern
        var bytes = Array(pattern.utf8)
        let length = bytes.count
        bytes.append(0)  // never a NULL pointer, even for an empty pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = bytes.withUnsafeBufferPointer {
            pcre2_compile_8($0.baseAddress, length, UInt32(PCRE2_NEVER_UTF), &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PCRE2CompileError(message: Self.errorMessage(errorCode), offset: errorOffset)
        }
        code = compiled
        // A pattern starting with (*NO_JIT) makes pcre2_jit_compile succeed without compiling:
        // only JIT code that exists counts.
        var jitSize = 0
        if pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0 {
            pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_JITSIZE), &jitSize)
        }
        usesJIT = jitSize > 0

        var captures: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        captureCount = Int(captures)

        // The name table: entries of `entrySize` bytes, each a big-endian group number in two
        // bytes followed by the NUL-terminated name.
        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var groups: [(name: String, number: Int)] = []
        if let table {
            for k in 0..<Int(nameCount) {
                let entry = table + k * Int(entrySize)
                let number = Int(entry[0]) << 8 | Int(entry[1])
                var end = 2
                while end < Int(entrySize), entry[end] != 0 { end += 1 }
                let name = String(decoding: UnsafeBufferPointer(start: entry + 2, count: end - 2), as: UTF8.self)
                groups.append((name, number))
            }
        }
        namedGroups = groups
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// PCRE2's text for an error code (compile or match).
    public static func errorMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBufferPointer {
            pcre2_get_error_message_8(code, $0.baseAddress, $0.count)
        }
        guard count > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(count)], as: UTF8.self)
    }
}

/// The limits that keep one line from costing unbounded time or memory, whatever the pattern.
///
/// What each engine honours (PCRE2 10.42, `pcre2api(3)` and `pcre2jit(3)`):
/// - `matchLimit` (`pcre2_set_match_limit`): both the interpreter (backtracking steps) and the
///   JIT (a comparable count of its own). This is the guard against catastrophic backtracking.
/// - `depthLimit` (`pcre2_set_depth_limit`): the interpreter only (nested backtracking frames).
/// - `heapLimitKiB`: the interpreter's frame memory (`pcre2_set_heap_limit`); the JIT ignores it,
///   so the same figure also caps the JIT stack a matcher may grow to.
///
/// A line that hits any of them is skipped as ``SkipReason/matchLimit``.
public struct PCRE2Limits: Sendable, Equatable {
    public var matchLimit: UInt32
    public var depthLimit: UInt32
    public var heapLimitKiB: UInt32

    /// The defaults, measured with PCRE2 10.42 on the shipped definitions:
    /// - a line a pattern matches takes tens of steps, even at 64 KiB; but proving that a
    ///   64 KiB line does *not* match takes a linear pattern up to 260 000 steps (HAProxy's,
    ///   with the request line cut off), so a limit of 100 000 would count such lines as
    ///   `match_limit` instead of `malformed`: 1 000 000 leaves room for that;
    /// - a catastrophic pattern (`^(a+)+$` on `aaa…ab`) stops at 1 000 000 steps after about 5 ms
    ///   with the JIT and 50 ms with the interpreter (PCRE2's own default, 10 000 000 steps and
    ///   20 GB of heap, lets it run ten times longer);
    /// - the shipped patterns nest at most 23 frames deep; 10 000 leaves room for patterns that
    ///   repeat a group per byte of a field (`(?:[^"\\]|\\.)*`).
    public static let defaults = PCRE2Limits(matchLimit: 1_000_000, depthLimit: 10_000, heapLimitKiB: 8192)

    public init(matchLimit: UInt32, depthLimit: UInt32, heapLimitKiB: UInt32) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.heapLimitKiB = heapLimitKiB
    }
}

/// One parser instance's matching state: match data for the pattern (and the `skip` pattern),
/// a match context carrying the limits, and a JIT stack. Created once per parser instance and
/// reused for every line; freed with it. Not for concurrent use (one instance reads one input).
public final class PCRE2Matcher: @unchecked Sendable {
    @usableFromInline let matchData: OpaquePointer
    @usableFromInline let ovector: UnsafeMutablePointer<Int>
    @usableFromInline let ovectorPairs: Int
    @usableFromInline let skipMatchData: OpaquePointer?
    @usableFromInline let context: OpaquePointer
    @usableFromInline let jitStack: OpaquePointer?
    /// One byte to point at for an empty line (PCRE2 10.42 rejects a NULL subject).
    @usableFromInline let emptySubject: UnsafeMutablePointer<UInt8>

    public init(program: PCRE2Program, skip: PCRE2Program?, limits: PCRE2Limits) {
        guard let data = pcre2_match_data_create_from_pattern_8(program.code, nil),
            let context = pcre2_match_context_create_8(nil)
        else { fatalError("PCRE2 could not allocate match data") }
        matchData = data
        ovector = pcre2_get_ovector_pointer_8(data)
        ovectorPairs = Int(pcre2_get_ovector_count_8(data))
        skipMatchData = skip.map { _ in pcre2_match_data_create_8(1, nil)! }
        self.context = context
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        pcre2_set_heap_limit_8(context, limits.heapLimitKiB)
        if program.usesJIT || skip?.usesJIT == true {
            let maxBytes = max(Int(limits.heapLimitKiB) * 1024, 64 * 1024)
            jitStack = pcre2_jit_stack_create_8(min(32 * 1024, maxBytes), maxBytes, nil)
            if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
        } else {
            jitStack = nil
        }
        emptySubject = .allocate(capacity: 1)
        emptySubject.initialize(to: 0)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        if let skipMatchData { pcre2_match_data_free_8(skipMatchData) }
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        emptySubject.deallocate()
    }

    /// How one match attempt ended.
    public enum Outcome: Equatable, Sendable {
        /// Matched; the ovector holds this many pairs (groups above it did not take part).
        case matched(pairs: Int)
        case noMatch
        /// A match, depth, heap or JIT stack limit stopped the attempt.
        case limit
    }

    /// Runs `program` over `line`: the whole pattern when `skip` is false (filling the ovector),
    /// else the skip pattern (whether it matches).
    @inlinable
    public func match(_ program: PCRE2Program, _ line: UnsafeRawBufferPointer, skip: Bool = false) -> Outcome {
        let subject =
            line.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(emptySubject)
        let data = skip ? skipMatchData! : matchData
        let rc =
            program.usesJIT
            ? pcre2_jit_match_8(program.code, subject, line.count, 0, 0, data, context)
            : pcre2_match_8(program.code, subject, line.count, 0, 0, data, context)
        if rc > 0 { return .matched(pairs: Int(rc)) }
        if rc == 0 { return .matched(pairs: ovectorPairs) }  // cannot happen: data sized from the pattern
        switch rc {
        case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_JIT_STACKLIMIT:
            return .limit
        default:
            return .noMatch
        }
    }

    /// The range group `number` matched in the last full match, `nil` when it did not take part.
    @inlinable
    public func range(ofGroup number: Int, pairs: Int, lineCount: Int) -> Range<Int>? {
        guard number < pairs else { return nil }
        let start = ovector[2 * number]
        let end = ovector[2 * number + 1]
        // PCRE2_UNSET is ~0 (-1 as Int); \K in a lookaround can put the start after the end.
        guard start >= 0, start <= end, end <= lineCount else { return nil }
        return start..<end
    }
}
