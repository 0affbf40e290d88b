import Glibc

/// Splits a ``ByteSource`` into lines, reading big chunks into one buffer that is allocated once.
///
/// The inner loop finds line ends with `memchr` and hands each line to a closure as an
/// `UnsafeRawBufferPointer` into that buffer, together with the byte offset of the line's first
/// byte in the (decompressed) stream. No allocation and no `String` per line.
///
/// - A line is the bytes before a `\n`, without the `\n` and without one `\r` right before it.
///   Empty lines are delivered (as empty buffers). The last line is delivered at the end of the
///   input even without a `\n`; an input that ends with `\n` has no empty line after it.
/// - With `skipsLeadingNULs` (a tailer's live files), NUL bytes where a line would start are
///   skipped and counted (``nulBytesSkipped``): they are the hole a writer without `O_APPEND`
///   leaves after `copytruncate`, and would otherwise glue themselves to the next line and make
///   it too long to deliver.
/// - A line longer than `maxLineBytes` (counted without its `\n`/`\r\n`) is not delivered: it is
///   skipped up to its `\n` without buffering it (memory stays bounded whatever the line length),
///   counted in ``linesTooLong``, and its bytes still advance the offsets of the lines after it.
/// - Like swift-nio's `NIOSplitLinesMessageDecoder`, the reader remembers how many bytes of the
///   unfinished line it has already searched, so a line that spans many chunks is scanned once.
///   At a chunk boundary the unfinished line is moved to the front of the buffer (`memmove`) and
///   the next chunk is read behind it.
///
/// ```swift
/// var reader = LineReader(source: try LogInput.open(path: "access.log.1.gz"))
/// try reader.forEachLine { line, offset in
///     // `line` is valid only during this call.
/// }
/// ```
public struct LineReader<Source: ByteSource & ~Copyable>: ~Copyable {
    /// The default for `maxLineBytes`: 1 MiB.
    public static var defaultMaxLineBytes: Int { 1 << 20 }
    /// The default for `chunkSize`: 1 MiB.
    public static var defaultChunkSize: Int { 1 << 20 }

    /// The input (for example to ask a ``LogInput`` whether it ``LogInput/isGzip``).
    public var source: Source {
        _read { yield _source }
    }
    @usableFromInline var _source: Source
    /// The longest line (without its line break) that is delivered.
    public let maxLineBytes: Int
    /// The most bytes asked of the source in one read.
    public let chunkSize: Int

    /// Bytes read from the source (decompressed bytes for gzip).
    public var bytesRead: Int64 { _bytesRead }
    /// Lines delivered to a closure.
    public var linesRead: Int64 { _linesRead }
    /// Lines skipped because they were longer than `maxLineBytes`.
    public var linesTooLong: Int64 { _linesTooLong }
    @usableFromInline var _bytesRead: Int64 = 0
    @usableFromInline var _linesRead: Int64 = 0
    @usableFromInline var _linesTooLong: Int64 = 0
    @usableFromInline var _nulBytesSkipped: Int64 = 0
    @usableFromInline let skipsLeadingNULs: Bool

    /// NUL bytes skipped where a line would start (see ``forEachLine(keepPartialLastLine:byteBudget:_:)``).
    public var nulBytesSkipped: Int64 { _nulBytesSkipped }

    /// The one buffer: `maxLineBytes + 1` bytes of unfinished line plus one chunk.
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    /// Index of the first byte not yet consumed.
    @usableFromInline var start = 0
    /// Index one past the last byte read.
    @usableFromInline var end = 0
    /// Bytes from `start` already searched without finding a `\n`.
    @usableFromInline var scanned = 0
    /// Stream offset of `buffer[0]`.
    @usableFromInline var baseOffset: Int64 = 0
    /// Inside a too-long line: drop bytes up to the next `\n`.
    @usableFromInline var discarding = false
    /// The source returned 0 and the last line was handled.
    @usableFromInline var atEnd = false
    /// Stream offset where the too-long line being discarded began.
    @usableFromInline var discardStart: Int64

    /// The stream offset of the first byte not yet delivered or skipped: where reading would have
    /// to start again to see every remaining line. Inside a too-long line, its start. This is
    /// the offset a tailer checkpoints.
    public var consumedOffset: Int64 {
        discarding ? discardStart : baseOffset + Int64(start)
    }

    /// Whether the source ended and its last line was handled (only when reading without
    /// `keepPartialLastLine`).
    public var isAtEnd: Bool { atEnd }

    /// The stream offset one past the last byte read from the source.
    public var readOffset: Int64 { baseOffset + Int64(end) }

    /// Bytes of an unfinished line held in the buffer (read, no `\n` yet). For a too-long line
    /// being discarded, the bytes skipped so far count as pending.
    public var pendingBytes: Int64 { readOffset - consumedOffset }

    /// - Parameters:
    ///   - source: the input; the reader owns it from now on.
    ///   - maxLineBytes: the longest line that is delivered (default 1 MiB).
    ///   - chunkSize: the most bytes read from the source at once (default 1 MiB; small values are
    ///     for tests).
    ///   - startOffset: the stream offset of the source's first byte (a file opened and positioned
    ///     at a checkpoint); line offsets count from it.
    ///   - skipsLeadingNULs: skip NUL bytes where a line would start (see the type's notes).
    public init(
        source: consuming Source,
        maxLineBytes: Int = Self.defaultMaxLineBytes,
        chunkSize: Int = Self.defaultChunkSize,
        startOffset: Int64 = 0,
        skipsLeadingNULs: Bool = false
    ) {
        self.skipsLeadingNULs = skipsLeadingNULs
        precondition(maxLineBytes >= 0 && chunkSize > 0 && startOffset >= 0)
        self._source = source
        self.maxLineBytes = maxLineBytes
        self.chunkSize = chunkSize
        self.baseOffset = startOffset
        self.discardStart = startOffset
        self.buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: maxLineBytes + 1 + chunkSize,
            alignment: 16
        )
    }

    deinit {
        buffer.deallocate()
    }

    /// Calls `body` for every line from the current position to the end of the input.
    ///
    /// - Parameters:
    ///   - keepPartialLastLine: when `true`, an unfinished last line (no `\n` yet) is not delivered
    ///     at the end of the input but kept, and the next call reads the source again (for a file
    ///     that is still being written). When `false` (the default) it is delivered and the reader
    ///     is done.
    ///   - body: gets each line without its line break, valid only during the call, and the
    ///     stream offset of its first byte. A line counts as consumed before `body` runs, so if
    ///     `body` throws, the next call continues after that line.
    /// - Throws: ``InputError`` from the source, or what `body` throws.
    ///   - byteBudget: stop after reading about this many bytes from the source in this call (at a
    ///     chunk boundary; the lines read so far are delivered, the rest stays for the next call),
    ///     so one busy file cannot starve the others a tailer follows. `nil`: no limit.
    @inlinable
    public mutating func forEachLine(
        keepPartialLastLine: Bool = false,
        byteBudget: Int64? = nil,
        _ body: (UnsafeRawBufferPointer, Int64) throws -> Void
    ) throws {
        let base = buffer.baseAddress!
        let budgetEnd = byteBudget.map { _bytesRead + $0 }
        while true {
            if discarding {
                if let found = memchr(base + start, 0x0A, end - start) {
                    discarding = false
                    _linesTooLong += 1
                    start = UnsafeMutableRawPointer(found) - base + 1
                    scanned = 0
                } else {
                    baseOffset += Int64(end)
                    start = 0
                    end = 0
                    scanned = 0
                }
            }
            if !discarding {
                while true {
                    if skipsLeadingNULs, scanned == 0, start < end, base.load(fromByteOffset: start, as: UInt8.self) == 0 {
                        // NUL bytes where a line should start: the hole a writer without
                        // O_APPEND leaves after copytruncate (it keeps writing at its old
                        // offset). Skipped and counted, so the line after them is not lost.
                        let from = start
                        while start < end, base.load(fromByteOffset: start, as: UInt8.self) == 0 { start += 1 }
                        _nulBytesSkipped += Int64(start - from)
                        if start == end { break }
                    }
                    let from = start + scanned
                    guard from < end, let found = memchr(base + from, 0x0A, end - from) else { break }
                    let newline = UnsafeMutableRawPointer(found) - base
                    let lineStart = start
                    var lineEnd = newline
                    if lineEnd > lineStart, base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
                        lineEnd -= 1
                    }
                    start = newline + 1
                    scanned = 0
                    if lineEnd - lineStart > maxLineBytes {
                        _linesTooLong += 1
                        continue
                    }
                    _linesRead += 1
                    try body(
                        UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart),
                        baseOffset + Int64(lineStart)
                    )
                }
                scanned = end - start
                // Longer than any line we deliver, even if its last byte is the `\r` of a `\r\n`.
                if scanned > maxLineBytes + 1 {
                    discarding = true
                    discardStart = baseOffset + Int64(start)
                    baseOffset += Int64(end)
                    start = 0
                    end = 0
                    scanned = 0
                }
            }
            if atEnd { return }
            if let budgetEnd, _bytesRead >= budgetEnd { return }

            // Make room behind the unfinished line (at most maxLineBytes + 1 bytes) for one chunk.
            if start > 0 {
                let pending = end - start
                if pending > 0 { memmove(base, base + start, pending) }
                baseOffset += Int64(start)
                start = 0
                end = pending
            }
            let n = try _source.read(
                into: UnsafeMutableRawBufferPointer(start: base + end, count: min(chunkSize, buffer.count - end))
            )
            if n > 0 {
                end += n
                _bytesRead += Int64(n)
                continue
            }
            if keepPartialLastLine { return }
            atEnd = true
            try finishLastLine(body)
            return
        }
    }

    /// Delivers the unfinished line held in the buffer as if its `\n` had arrived (a writer that
    /// died mid-line, or a file that is final), or counts it as too long. Reading can go on
    /// afterwards: later bytes start a new line.
    ///
    /// - Returns: whether there was an unfinished line.
    @discardableResult
    public mutating func deliverPendingLine(_ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws -> Bool {
        if discarding {
            discarding = false
            _linesTooLong += 1
            baseOffset += Int64(end)
            start = 0
            end = 0
            scanned = 0
            return true
        }
        guard end > start else { return false }
        try finishLastLine(body)
        return true
    }

    /// The end of the input: deliver (or count as too long) the line that has no `\n`.
    @inlinable
    mutating func finishLastLine(_ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws {
        if discarding {
            discarding = false
            _linesTooLong += 1
            return
        }
        guard end > start else { return }
        let base = buffer.baseAddress!
        let lineStart = start
        var lineEnd = end
        if base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
        start = end
        scanned = 0
        if lineEnd - lineStart > maxLineBytes {
            _linesTooLong += 1
            return
        }
        _linesRead += 1
        try body(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart), baseOffset + Int64(lineStart))
    }

    /// Shows the first complete lines of the input without consuming them: the next
    /// ``forEachLine(keepPartialLastLine:_:)`` still delivers every one of them.
    ///
    /// Reads from the source until `maxLines` lines are buffered, the buffer is full, or the input
    /// ends (then an unfinished last line is shown too). It never reads more than the buffer holds
    /// (`maxLineBytes + 1 + chunkSize` bytes), so it may show fewer than `maxLines` lines. Lines longer than `maxLineBytes` are
    /// left out, as ``forEachLine(keepPartialLastLine:_:)`` would. Meant for format sniffing,
    /// including on standard input, which cannot be rewound. Called later, it shows the lines
    /// after the current position.
    ///
    /// - Parameter body: gets the lines, without line breaks, valid only during the call.
    /// - Throws: ``InputError`` from the source, or what `body` throws.
    public mutating func withFirstLines<R>(
        maxLines: Int,
        _ body: ([UnsafeRawBufferPointer]) throws -> R
    ) throws -> R {
        let base = buffer.baseAddress!
        var lines: [UnsafeRawBufferPointer] = []
        guard !discarding, maxLines > 0 else { return try body(lines) }
        var lineStart = start
        var from = start
        while lines.count < maxLines {
            if from < end, let found = memchr(base + from, 0x0A, end - from) {
                let newline = UnsafeMutableRawPointer(found) - base
                var lineEnd = newline
                if lineEnd > lineStart, base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
                    lineEnd -= 1
                }
                if lineEnd - lineStart <= maxLineBytes {
                    lines.append(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart))
                }
                lineStart = newline + 1
                from = lineStart
                continue
            }
            from = end
            if atEnd || end == buffer.count { break }
            // Fill behind what is buffered; nothing moves, so the lines found so far stay valid.
            let n = try _source.read(
                into: UnsafeMutableRawBufferPointer(start: base + end, count: min(chunkSize, buffer.count - end))
            )
            if n > 0 {
                end += n
                _bytesRead += Int64(n)
            } else {
                // Remember nothing: forEachLine reads the source again and sees the end itself.
                var lineEnd = end
                if lineEnd > lineStart, base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
                    lineEnd -= 1
                }
                if end > lineStart, lineEnd - lineStart <= maxLineBytes {
                    lines.append(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart))
                }
                break
            }
        }
        return try body(lines)
    }
}

/// The buffer is owned by this one non-copyable value, so moving it to another task moves the only
/// access to it.
extension LineReader: @unchecked Sendable where Source: Sendable & ~Copyable {}
