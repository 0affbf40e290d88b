import Foundation
import LogTailing
import Testing

/// The checkpoint file: exact text, atomic replacement, and falling back to the previous
/// version when the current one is damaged (RELIABILITY.md B2).
@Suite struct CheckpointStoreTests {
    static let sample = Checkpoint(
        files: [
            CheckpointEntry(
                fileID: 0x1de7_9cec_4b98_53ef, state: .live, identity: FileIdentity(device: 65024, inode: 5_333_356),
                fingerprint: FileFingerprint(length: 1024, hash: 0x58b3_7e1f_9ad9_2beb), offset: 14800,
                updatedAt: 1_796_025_917, path: "/var/log/squid/access.log"),
            CheckpointEntry(
                fileID: 7, state: .done, identity: FileIdentity(device: 1, inode: 2),
                fingerprint: FileFingerprint(length: 17, hash: 3), offset: 0, updatedAt: 5,
                path: "/var/log/odd dir/50% é\nname"),
        ],
        sinks: [SinkMark(name: "jsonl:/var/lib/hostwatch/hits.jsonl", identity: FileIdentity(device: 9, inode: 10), size: 72608)])

    func makeDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostwatch-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func textFormatIsExact() {
        #expect(
            CheckpointStore.encode(Self.sample) == """
                hostwatch checkpoints 1
                file 1de79cec4b9853ef live 65024 5333356 1024 58b37e1f9ad92beb 14800 1796025917 /var/log/squid/access.log
                file 0000000000000007 done 1 2 17 0000000000000003 0 5 /var/log/odd%20dir/50%25%20%C3%A9%0Aname
                sink jsonl:/var/lib/hostwatch/hits.jsonl 9 10 72608
                end 3

                """)
    }

    @Test func roundTripsThroughTheStore() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = CheckpointStore(directory: dir)
        #expect(try store.load() == .none)
        try store.save(Self.sample)
        #expect(try store.load() == .loaded(Self.sample, source: store.path, warning: nil))
        var second = Self.sample
        second.files[0].offset = 20_000
        try store.save(second)
        #expect(try store.load() == .loaded(second, source: store.path, warning: nil))
        // The previous version is kept, and no temporary file is left behind.
        #expect(FileManager.default.contents(atPath: store.previousPath) == Data(CheckpointStore.encode(Self.sample).utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["checkpoints", "checkpoints.prev"])
    }

    @Test(arguments: [
        ("", "empty file"),
        ("\0\0\0\0", "the last line is cut short"),
        ("hostwatch checkpoints 1\nfile 1de79cec4b9853ef live 65024", "the last line is cut short"),
        ("hostwatch checkpoints 1\nsink s 1 2 3\n", "no end line (cut short)"),
        ("hostwatch checkpoints 1\nsink s 1 2 3\nend 2\n", "line 3: the end line does not match the entries"),
        ("{\"offsets\": {}}\n", "no 'hostwatch checkpoints 1' header line"),
        ("hostwatch checkpoints 1\nfile zz live 1 2 3 4 5 6 p\nend 1\n", "line 2: bad file entry"),
    ])
    func damagedCurrentFallsBackToPrevious(content: String, problem: String) throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = CheckpointStore(directory: dir)
        try store.save(Self.sample)
        var newer = Self.sample
        newer.files[0].offset = 99
        try store.save(newer)
        try Data(content.utf8).write(to: URL(fileURLWithPath: store.path))
        let loaded = try store.load()
        #expect(
            loaded
                == .loaded(
                    Self.sample, source: store.previousPath,
                    warning: "\(store.path): damaged: \(problem); resuming from the previous checkpoint \(store.previousPath)"))
    }

    @Test func bothDamagedIsAnErrorNotAFreshStart() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = CheckpointStore(directory: dir)
        try Data().write(to: URL(fileURLWithPath: store.path))
        try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: store.previousPath))
        #expect(throws: CheckpointError.self) { try store.load() }
        do {
            _ = try store.load()
        } catch {
            #expect(error.description.hasPrefix("\(store.path): damaged: empty file, and \(store.previousPath): damaged: no 'hostwatch checkpoints 1' header line."))
        }
    }

    @Test func missingCurrentWithPreviousUsesPrevious() throws {
        // A crash between the two renames of a save leaves only the previous version.
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = CheckpointStore(directory: dir)
        try Data(CheckpointStore.encode(Self.sample).utf8).write(to: URL(fileURLWithPath: store.previousPath))
        #expect(
            try store.load()
                == .loaded(
                    Self.sample, source: store.previousPath,
                    warning: "\(store.path): missing; resuming from the previous checkpoint \(store.previousPath)"))
    }

    @Test func saveIntoAMissingDirectoryFails() {
        let store = CheckpointStore(directory: "/nonexistent/hostwatch-state")
        #expect(throws: CheckpointError.self) { try store.save(Self.sample) }
    }
}
